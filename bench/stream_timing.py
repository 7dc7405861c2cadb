"""Many streams at once, each event timed at the client: N concurrent streamed requests to each
target in turn, the upstream pacing its events (the fake upstream's chunks:<n>+chunk_delay:<ms>).
Prints a Markdown table: the time from the request to its first event and to its last (p50,
p99), and what the proxy adds to the last event's p50 over the upstream straight (the first
target): a proxy that delayed each event would add that delay twenty times over.

usage: stream_timing.py N MODEL PACING_MS name=port:path [name=port:path ...]
"""
import asyncio
import statistics
import sys
import time


async def one_stream(port, path, model, times):
    body = ('{"model":"%s","stream":true,"messages":[{"role":"user","content":"hi"}]}' % model).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    events, pending = [], b""
    while True:
        piece = await reader.read(65536)
        if not piece:
            break
        now = time.perf_counter()
        pending += piece
        # Each "data:" seen is one event; counted as it arrives (chunk framing left in place).
        found = pending.count(b"data:")
        events += [now] * found
        pending = pending[pending.rfind(b"data:") + 5:] if found else pending[-8:]
    writer.close()
    times.append((started, events))


async def run(n, port, path, model):
    times = []
    await asyncio.gather(*(one_stream(port, path, model, times) for _ in range(n)))
    return times


def main():
    n, model = int(sys.argv[1]), sys.argv[2]
    print("| target | streams answered | events each | first event p50 ms | p99 ms "
          "| last event p50 ms | p99 ms | added to the last p50 ms |")
    print("|---|---|---|---|---|---|---|---|")
    direct_last = None
    for spec in sys.argv[4:]:
        name, rest = spec.split("=", 1)
        port, path = rest.split(":", 1)
        times = asyncio.run(run(n, int(port), path, model))
        complete = [(s, e) for s, e in times if e]
        first = sorted((e[0] - s) * 1e3 for s, e in complete)
        last = sorted((e[-1] - s) * 1e3 for s, e in complete)
        counts = [len(e) for _, e in complete]
        q = lambda xs, p: xs[min(len(xs) - 1, int(len(xs) * p))]
        if direct_last is None:
            direct_last = q(last, 0.5)
        print(f"| {name} | {len(complete)}/{n} | {statistics.median(counts):.0f} | "
              f"{q(first, 0.5):.1f} | {q(first, 0.99):.1f} | {q(last, 0.5):.0f} | "
              f"{q(last, 0.99):.0f} | {q(last, 0.5) - direct_last:.0f} |")


if __name__ == "__main__":
    main()
