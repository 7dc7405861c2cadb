"""Memory per idle keep-alive connection: each proxy's resident memory before and after N client
connections that each made one request and stay open (bench/run.sh calls it with the running
targets). With --open-streams, memory per open stream instead: each connection asks for the canned
upstream's "bench-hold" stream, gets its first event, and the stream stays open. Prints a
Markdown table.

usage: idle_memory.py [--open-streams] N name=pid:port:path [name=pid:port:path ...]
"""
import resource
import socket
import sys
import time

BODY = b'{"model":"bench","stream":false,"messages":[{"role":"user","content":"hi"}]}'
STREAM_BODY = b'{"model":"bench-hold","stream":true,"messages":[{"role":"user","content":"hi"}]}'


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(port, path, body=BODY):
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() +
            b"\r\nContent-Type: application/json\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)


def read_answer(s):
    """Reads one answer with a Content-Length; True when it came whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            return False
        rest += chunk
    return True


def read_first_event(s):
    """Reads a stream's head and first event; True when they came."""
    data = b""
    while b"\r\n\r\n" not in data or b"\n\n" not in data.partition(b"\r\n\r\n")[2]:
        chunk = s.recv(65536)
        if not chunk:
            return False
        data += chunk
    return True


def measure(n, pid, port, path, streams):
    before = rss_kb(pid)
    socks, ok = [], 0
    req = request(port, path, STREAM_BODY if streams else BODY)
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(req)
        ok += read_first_event(s) if streams else read_answer(s)
        socks.append(s)
    time.sleep(2.0)  # whatever the proxy does once a connection goes idle
    after = rss_kb(pid)
    for s in socks:
        s.close()
    return before, after, ok


def main():
    args = sys.argv[1:]
    streams = args[0] == "--open-streams"
    if streams:
        args = args[1:]
    n = int(args[0])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 256)), hard))
    what = "open streams" if streams else "idle connections"
    print(f"| target | {what} | answered | RSS before KB | RSS after KB | per connection KB |")
    print("|---|---|---|---|---|---|")
    for spec in args[1:]:
        name, rest = spec.split("=", 1)
        pid, port, path = rest.split(":", 2)
        before, after, ok = measure(n, int(pid), int(port), path, streams)
        print(f"| {name} | {n} | {ok} | {before} | {after} | {(after - before) / n:.2f} |")
        time.sleep(1.0)


if __name__ == "__main__":
    main()
