"""Time to the first streamed event over a new connection: connect, send a streamed chat request,
read until the first SSE event has arrived, close; N times in turn for each target (rounds
interleaved so that a noisy neighbour moves all alike). Prints a Markdown table of p50 and p99 and
what each proxy adds over the upstream straight.

usage: first_byte.py N ROUNDS name=port:path [name=port:path ...]   (the first target: direct)
"""
import socket
import statistics
import sys
import time

BODY = b'{"model":"bench-split","stream":true,"messages":[{"role":"user","content":"hi"}]}'


def request(port, path):
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() +
            b"\r\nContent-Type: application/json\r\nContent-Length: " +
            str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


def first_event_us(port, req):
    started = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(req)
    data = b""
    while b"data:" not in data or b"\n\n" not in data[data.index(b"data:"):]:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    took = (time.perf_counter() - started) * 1e6
    s.close()
    return took


def main():
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    targets = []
    for spec in sys.argv[3:]:
        name, rest = spec.split("=", 1)
        port, path = rest.split(":", 1)
        targets.append((name, int(port), request(int(port), path)))
    samples = {name: [] for name, _, _ in targets}
    for _ in range(rounds):
        for name, port, req in targets:
            for _ in range(n):
                samples[name].append(first_event_us(port, req))
    q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1]
    direct50 = statistics.median(samples[targets[0][0]])
    print("| target | p50 µs | p99 µs | added p50 µs |")
    print("|---|---|---|---|")
    for name, _, _ in targets:
        xs = samples[name]
        p50 = statistics.median(xs)
        print(f"| {name} | {p50:.0f} | {q(xs, 99):.0f} | {p50 - direct50:.0f} |")


if __name__ == "__main__":
    main()
