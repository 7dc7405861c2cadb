"""Clients that try to smuggle requests, exhaust memory or descriptors, or forge admin requests
from a web page: each gets a clear error and the right status, and nobody else is affected."""
import json
import socket

from harness import FakeUpstream, Gateway, check, run_tests


def raw_exchange(port, data, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    try:
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            out += piece
    except OSError:
        pass
    s.close()
    return out


def statuses(raw):
    return [line.split(b" ")[1] for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.")]


def with_gateway(test):
    def run():
        fake = FakeUpstream(models=["m"], name="A")
        gw = Gateway({"OPENAI_API_BASE_URLS": fake.url})
        try:
            gw.wait_for_models(["m"])
            test(gw, fake)
        finally:
            check(gw.stop() == 0, gw.output())
            fake.stop()
    run.__name__ = test.__name__
    return run


@with_gateway
def test_transfer_encoding_not_ending_in_chunked_is_refused_not_smuggled(gw, fake):
    hidden = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    for coding in [b"gzip", b"xchunked", b"chunked, gzip", b"identity"]:
        raw = raw_exchange(gw.port, b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\nTransfer-Encoding: " + coding +
                           b"\r\n\r\n" + hidden)
        check(statuses(raw) == [b"400"], (coding, raw[:300]))
        check(b"chunked" in raw, raw)
    # The same body framed properly still works.
    body = json.dumps({"model": "m"}).encode()
    raw = raw_exchange(gw.port, b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                       b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
    check(statuses(raw) == [b"200"], raw[:300])


@with_gateway
def test_host_header_missing_or_duplicated_is_refused(gw, fake):
    raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\n\r\n")
    check(statuses(raw) == [b"400"] and b"Host" in raw, raw)
    raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    check(statuses(raw) == [b"400"] and b"Host" in raw, raw)
    raw = raw_exchange(gw.port, b"GET /health HTTP/1.0\r\n\r\n")  # 1.0 has no Host requirement
    check(statuses(raw) == [b"200"], raw)


@with_gateway
def test_more_than_100_header_fields_is_431(gw, fake):
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(101))
    raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n")
    check(statuses(raw) == [b"431"], raw[:300])
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(98))
    raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + fields + b"\r\n")
    check(statuses(raw) == [b"200"], raw[:300])


if __name__ == "__main__":
    run_tests([
        test_transfer_encoding_not_ending_in_chunked_is_refused_not_smuggled,
        test_host_header_missing_or_duplicated_is_refused,
        test_more_than_100_header_fields_is_431,
    ])
