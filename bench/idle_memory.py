"""Memory per idle keep-alive connection: each proxy's resident memory before and after N client
connections that each made one request and stay open (bench/run.sh calls it with the running
targets). Prints a Markdown table.

usage: idle_memory.py N name=pid:port:path [name=pid:port:path ...]
"""
import resource
import socket
import sys
import time

BODY = b'{"model":"bench","stream":false,"messages":[{"role":"user","content":"hi"}]}'


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(port, path, extra_headers=b""):
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() +
            b"\r\nContent-Type: application/json\r\nContent-Length: " +
            str(len(BODY)).encode() + b"\r\n" + extra_headers + b"\r\n" + BODY)


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


def measure(n, pid, port, path):
    before = rss_kb(pid)
    socks, ok = [], 0
    req = request(port, path)
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(req)
        ok += read_answer(s)
        socks.append(s)
    time.sleep(1.0)  # whatever the proxy does once a connection goes idle
    after = rss_kb(pid)
    for s in socks:
        s.close()
    return before, after, ok


def main():
    n = int(sys.argv[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 256)), hard))
    print(f"| target | idle connections | answered | RSS before KB | RSS after KB | per connection KB |")
    print("|---|---|---|---|---|---|")
    for spec in sys.argv[2:]:
        name, rest = spec.split("=", 1)
        pid, port, path = rest.split(":", 2)
        before, after, ok = measure(n, int(pid), int(port), path)
        print(f"| {name} | {n} | {ok} | {before} | {after} | {(after - before) / n:.2f} |")
        time.sleep(1.0)


if __name__ == "__main__":
    main()
