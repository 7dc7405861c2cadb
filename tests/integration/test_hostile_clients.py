"""Clients that try to smuggle requests, exhaust memory or descriptors, or forge admin requests
from a web page: each gets a clear error and the right status, and nobody else is affected."""
import harness
import http.client
import json
import resource
import socket
import time

from scripted_upstream import ScriptedUpstream
from harness import SANITIZED, FakeUpstream, Gateway, check, metric, raw_exchange, run_tests


def statuses(raw):
    return [line.split(b" ")[1] for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.")]


def with_gateway(test):
    def run():
        fake = FakeUpstream(models=["m"], name="A")
        # Forwarded user-info headers on: a header smuggled in by another route would show upstream.
        gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "ENABLE_FORWARD_USER_INFO_HEADERS": "True"})
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


def chunked_request(body, trailer):
    return (b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n" + trailer)


@with_gateway
def test_chunked_trailers_count_against_the_head_limits(gw, fake):
    body = json.dumps({"model": "m"}).encode()
    # An endless trailer section: 431 once it passes the head's 16 KiB, while it is still coming.
    s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
    s.sendall(chunked_request(body, b""))
    sent, answer = 0, b""
    deadline = time.time() + 10
    s.setblocking(False)
    while not answer and time.time() < deadline and sent < (64 << 20):
        try:
            sent += s.send(b"X-T: t\r\n" * 4096)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            pass
        try:
            answer = s.recv(65536)
        except BlockingIOError:
            pass
        except OSError:
            break
    s.close()
    check(statuses(answer) == [b"431"], (sent, answer[:300]))
    check(sent < (8 << 20), f"{sent} trailer bytes were read before the answer")
    # More fields than a head may have, in a small trailer: 431 too.
    raw = raw_exchange(gw.port, chunked_request(body, b"".join(b"X-T%d: t\r\n" % i for i in range(101)) + b"\r\n"))
    check(statuses(raw) == [b"431"], raw[:300])
    # A few trailer fields are fine, and none of them is taken for a header of the request.
    raw = raw_exchange(gw.port, chunked_request(body, b"X-OpenWebUI-Chat-Id: from-trailer\r\n\r\n"))
    check(statuses(raw) == [b"200"], raw[:300])
    check("from-trailer" not in json.dumps(fake.stats()["last_headers"]), fake.stats()["last_headers"])
    # A trailer named like a head field sits beside it in Beast's list: it goes, the head stays
    # whole (the cross-site guard still sees the Origin, and one Host).
    cross = (b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
             b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\nOrigin: http://evil.example\r\n\r\n" +
             f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\nHost: y\r\n\r\n")
    raw = raw_exchange(gw.port, cross)
    check(statuses(raw) == [b"403"], raw[:300])
    # Sent in one write with its request, a trailer over the head's size limit is still refused.
    raw = raw_exchange(gw.port, chunked_request(body, b"X-Big: " + b"b" * 20000 + b"\r\n\r\n"))
    check(statuses(raw) == [b"431"], raw[:300])


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


def proc_kib(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def chat_body(pad_bytes, extra=""):
    return ('{"model":"m",' + extra + '"messages":[{"role":"user","content":"' + "x" * pad_bytes + '"}]}').encode()


def open_upload(port, declared, first_bytes):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % declared + first_bytes)
    except OSError:
        pass  # refused before all of it was sent: the answer says why
    return s


def read_answer(s):
    out = b""
    while True:
        try:
            piece = s.recv(65536)
        except OSError:
            break
        if not piece:
            break
        out += piece
        if b"\r\n\r\n" in out:
            head, body = out.split(b"\r\n\r\n", 1)
            length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")]
            if length and len(body) >= length[0]:
                break
    return out


@with_gateway
def test_a_declared_content_length_is_not_reserved_before_it_arrives(gw, fake):
    before = proc_kib(gw.proc.pid, "VmData")
    uploads = [open_upload(gw.port, 60_000_000, b'{"model":"m","pad":"') for _ in range(20)]
    # Every upload's first bytes have been read once the gateway answers on another connection.
    check(raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 200"), "health")
    grown = proc_kib(gw.proc.pid, "VmData") - before
    for u in uploads:
        u.close()
    check(SANITIZED or grown < 200 * 1024, f"20 declared 60 MB bodies grew the gateway's data by {grown} KiB")


def test_buffered_bytes_over_the_budget_get_503_with_retry_after():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "MAX_BUFFERED_BYTES": str(40 << 20)})
    try:
        gw.wait_for_models(["m"])
        big = chat_body(20 << 20)
        first = open_upload(gw.port, len(big), big[:-10])  # all but the end: held, not yet answered
        deadline = time.time() + 10
        while metric(gw, "switchboard_buffered_bytes") < (20 << 20):
            check(time.time() < deadline, "the first upload was never counted")
            time.sleep(0.02)
        second = open_upload(gw.port, len(big), big)
        raw = read_answer(second)
        second.close()
        check(raw.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in raw, raw[:300])
        # Others are still served, and the held upload completes normally.
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"})
        check(status == 200, raw)
        first.sendall(big[-10:])
        raw = read_answer(first)
        first.close()
        check(raw.startswith(b"HTTP/1.1 200"), raw[:300])
        check("switchboard_overloaded_total 1" in gw.get("/metrics")[2].decode(), "not counted")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_a_refused_upload_gets_its_answer_while_the_client_keeps_sending():
    # Clients like Python's http.client send the whole body before they read a byte of the answer.
    # Refused early (over the buffer budget: 503; over MAX_REQUEST_BODY: 413), the rest of their
    # body is read and dropped until they have it all sent, then they read the answer; the gateway
    # used to close after 1 MiB, and the reset took the answer with it.
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "MAX_BUFFERED_BYTES": str(4 << 20),
                  "MAX_REQUEST_BODY": str(48 << 20)})
    try:
        gw.wait_for_models(["m"])
        for size, status, text in [(40 << 20, 503, b"retry shortly"), (60 << 20, 413, b"too large")]:
            conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=30)
            conn.request("POST", "/openai/chat/completions", body=chat_body(size),
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            raw = r.read()
            conn.close()
            check(r.status == status and text in raw, (r.status, raw[:300]))
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"})
        check(status == 200, raw)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_a_client_sending_without_end_after_its_refusal_gives_way_at_the_connection_cap():
    # Reading a refused body to its end must not let an endless sender keep a connection slot:
    # while it lingers it is as evictable as an idle keep-alive connection.
    gw = Gateway({"MAX_CONNECTIONS": "1", "THREADS": "1", "MAX_REQUEST_BODY": "1024"})
    stop = []

    def send_forever(s):
        while not stop:
            try:
                s.sendall(b"x" * 65536)
            except OSError:
                return
    try:
        s = open_upload(gw.port, 1 << 40, b"")
        check(read_answer(s).startswith(b"HTTP/1.1 413"), "not refused")
        import threading
        sender = threading.Thread(target=send_forever, args=(s,), daemon=True)
        sender.start()
        for _ in range(3):
            raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            check(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        stop.append(True)
        sender.join(10)
        s.close()
    finally:
        stop.append(True)
        check(gw.stop() == 0, gw.output())


def test_an_upstream_answer_over_the_budget_gets_503():
    fake = FakeUpstream(models=["m"], name="A")
    big = "m+chunks:300000"  # a non-streamed answer of about 3.6 MB
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "MAX_BUFFERED_BYTES": str(1 << 20),
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": [big, "m"]}})})
    try:
        gw.wait_for_models([big])
        status, hdrs, raw = gw.post("/openai/chat/completions", {"model": big}, timeout=30)
        check(status == 503 and hdrs.get("retry-after") == "1", (status, raw[:300]))
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"})
        check(status == 200, raw)  # small answers are not held back
        check(metric(gw, "switchboard_buffered_bytes") == 0, "the budget was not given back")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_whole_answers_stay_within_the_buffer_budget_and_memory_returns_after():
    # 8 concurrent answers of ~17 MB with MAX_BUFFERED_BYTES at 64 MB: what the gateway holds stays
    # within the cap (its growth counted, old and new block alike), its peak RSS within the cap
    # plus its idle footprint plus 10 %, and the memory goes back to the system afterwards.
    big = "m+chunks:1400000"
    cap = 64 << 20
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "MAX_BUFFERED_BYTES": str(cap),
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": [big, "m"]}})})
    try:
        gw.wait_for_models([big])
        check(gw.post("/openai/chat/completions", {"model": "m"})[0] == 200, "warm-up")
        idle = proc_kib(gw.proc.pid, "VmRSS")
        results, done = [], []

        def one():
            status, _, raw = gw.post("/openai/chat/completions", {"model": big}, timeout=60)
            results.append((status, len(raw)))
        import threading
        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            check(metric(gw, "switchboard_buffered_bytes") <= cap, "held more than MAX_BUFFERED_BYTES")
            time.sleep(0.01)
        statuses = sorted(r[0] for r in results)
        check(set(statuses) <= {200, 503} and 200 in statuses, statuses)
        check(all(n > 16 << 20 for st, n in results if st == 200), results)
        if not SANITIZED:  # ASan's quarantine and redzones make RSS meaningless
            peak = proc_kib(gw.proc.pid, "VmHWM")
            check((peak - idle) * 1024 <= cap * 1.1, f"peak RSS {peak // 1024} MiB over idle {idle // 1024} MiB")
            deadline = time.time() + 5
            while (proc_kib(gw.proc.pid, "VmRSS") - idle) * 1024 > cap // 4:
                check(time.time() < deadline, f"RSS stayed at {proc_kib(gw.proc.pid, 'VmRSS') // 1024} MiB after the load")
                time.sleep(0.05)
        # Given back as each answer's step ends, just after its last byte went out.
        deadline = time.time() + 5
        while metric(gw, "switchboard_buffered_bytes") != 0:
            check(time.time() < deadline, "the budget was not given back")
            time.sleep(0.02)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


@with_gateway
def test_json_nested_too_deep_is_refused_even_in_fields_not_read(gw, fake):
    deep = "[" * 10000 + "]" * 10000
    status, _, raw = gw.post("/openai/chat/completions", '{"model":"m","x":' + deep + '}')
    check(status == 400 and b"nests deeper" in raw, (status, raw[:300]))
    check(fake.stats()["chat_requests"] == 0, "forwarded")
    # The JSON reader skips what it does not read without validating it, and takes a backslash
    # outside a string to escape the next byte, as its scan of quotes does everywhere: the depth
    # count agrees with it on where strings are, or the quote after `a\` hides the nesting
    # (found by make fuzz: fuzz_chat_request).
    hidden = '{"model":"m","x":[a\\"' + "[" * 10000 + "]" * 10001 + '}'
    status, _, raw = gw.post("/openai/chat/completions", hidden)
    check(status == 400 and b"nests deeper" in raw, (status, raw[:300]))
    check(fake.stats()["chat_requests"] == 0, "forwarded")
    ok = "[" * 30 + "]" * 30  # (the fake upstream's own JSON parser stops at 32)
    status, _, raw = gw.post("/openai/chat/completions", '{"model":"m","x":' + ok + ', "s":"[[[[[["}')
    check(status == 200, (status, raw[:300]))


@with_gateway
def test_parser_memory_of_a_big_body_is_released(gw, fake):
    status, _, raw = gw.post("/openai/chat/completions", chat_body(1000))
    check(status == 200, raw)
    baseline = proc_kib(gw.proc.pid, "VmRSS")
    # Tens of millions of structural characters: what fills simdjson's index.
    many = ('{"model":"m","x":[' + "0," * (16 << 20) + '0]}').encode()
    status, _, raw = gw.post("/openai/chat/completions", many, timeout=60)
    check(status == 200, (status, raw[:200]))
    after = proc_kib(gw.proc.pid, "VmRSS")
    check(SANITIZED or after - baseline < 50 * 1024, f"RSS grew by {(after - baseline) // 1024} MiB after one 32 MB body")


def limit_descriptors(n):
    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return apply


def test_at_the_descriptor_limit_health_still_answers_and_the_log_is_quiet():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "THREADS": "1"}, preexec_fn=limit_descriptors(256))
    silent = []
    try:
        cap = int(gw.wait_for_line(r"at most (\d+) connections").group(1))
        check(cap == (256 - 128) // 2, cap)
        gw.wait_for_models(["m"])
        for _ in range(300):  # a flood of connections that never send anything
            silent.append(socket.create_connection(("127.0.0.1", gw.port), timeout=5))
        for _ in range(5):
            raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            check(raw.startswith(b"HTTP/1.1 200"), raw)
        check(metric(gw, "switchboard_open_connections") <= cap + 1, "over the cap")
        check("accept failed" not in gw.output(), "the descriptor limit was reached anyway")
    finally:
        for s in silent:
            s.close()
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_past_the_connection_cap_busy_connections_keep_their_place():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "THREADS": "1", "MAX_CONNECTIONS": "8",
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": ["m+slow_ttft:3000"]}})})
    busy = []
    try:
        gw.wait_for_models(["m+slow_ttft:3000"])
        body = json.dumps({"model": "m+slow_ttft:3000"})
        for _ in range(8):  # eight requests in flight: none of them idle
            s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
            s.sendall((f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
            busy.append(s)
        fake_deadline = time.time() + 5
        while fake.stats()["chat_requests"] < 8:
            check(time.time() < fake_deadline, "the busy requests never reached the upstream")
            time.sleep(0.02)
        for _ in range(30):
            raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", timeout=2)
            check(raw == b"", raw)  # closed at once, unanswered
        for s in busy:  # the busy ones are answered in full
            check(read_answer(s).startswith(b"HTTP/1.1 200"), "a busy request was dropped")
            s.close()
        warnings = [l for l in gw.output().splitlines() if "connection limit of 8" in l]
        check(len(warnings) == 1, warnings)
        check(metric(gw, "switchboard_refused_connections_total") == 30, "not counted")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_an_anonymous_fan_out_to_a_hung_server_pins_nothing_after_its_clients_leave():
    # An Ollama server that lists its models, then never answers /api/version.
    def handler(up, conn, req):
        if req.target == "/api/tags":
            conn.sendall(up.json_answer(200, {"models": [{"name": "m:latest", "model": "m:latest"}]}))
            return True
        up.bump(req.target)
        return True  # read, never answered
    hung = ScriptedUpstream(handler)
    gw = Gateway({"ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": f"http://127.0.0.1:{hung.port}",
                  "THREADS": "1", "MAX_CONNECTIONS": "64", "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST": "10"})
    try:
        deadline = time.time() + 10
        while b"m:latest" not in gw.get("/ollama/api/tags")[2]:
            check(time.time() < deadline, "the server's models were never listed")
            time.sleep(0.05)
        clients = []
        for _ in range(200):  # anyone may ask /ollama/api/version; each leaves after 0.3 s
            c = socket.create_connection(("127.0.0.1", gw.port), timeout=5)
            c.sendall(b"GET /ollama/api/version HTTP/1.1\r\nHost: x\r\n\r\n")
            clients.append(c)
            if len(clients) >= 50:
                time.sleep(0.3)
                for c in clients:
                    c.close()
                clients = []
        # Concurrent identical fan-outs shared a flight: a handful of calls, not one per request.
        calls = hung.counters.get("/api/version", 0)
        check(1 <= calls <= 8, f"{calls} upstream calls for 200 requests")
        # The sessions ended with their clients: nothing counts against MAX_CONNECTIONS, and the
        # calls were abandoned with them.
        deadline = time.time() + 3
        while metric(gw, "switchboard_open_connections") > 1:
            check(time.time() < deadline, ("sessions outlived their clients", metric(gw, "switchboard_open_connections")))
            time.sleep(0.05)
        raw = raw_exchange(gw.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(statuses(raw) == [b"200"], raw[:200])
        check("connection limit" not in gw.output(), "the connection limit was reached")
    finally:
        check(gw.stop() == 0, gw.output())
        hung.close()

def test_a_fan_out_with_no_server_to_ask_answers():
    # Ollama on, its only server disabled: the shared flight has no call to make and ends as
    # it starts (it used to leave its waiter reading a freed map entry: ASan's heap-use-after-free).
    port = harness.refused_port()  # connections there are refused
    gw = Gateway({"ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": f"http://127.0.0.1:{port}",
                  "OLLAMA_API_CONFIGS": json.dumps({"0": {"enable": False}})})
    try:
        for _ in range(3):
            status, _, raw = gw.get("/ollama/api/version")
            check(status == 502 and b"no Ollama server answered" in raw, (status, raw))
            status, _, raw = gw.get("/ollama/api/ps")
            check(status == 200 and json.loads(raw) == {"models": []}, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())


if __name__ == "__main__":
    run_tests([
        test_transfer_encoding_not_ending_in_chunked_is_refused_not_smuggled,
        test_host_header_missing_or_duplicated_is_refused,
        test_chunked_trailers_count_against_the_head_limits,
        test_more_than_100_header_fields_is_431,
        test_a_declared_content_length_is_not_reserved_before_it_arrives,
        test_buffered_bytes_over_the_budget_get_503_with_retry_after,
        test_an_upstream_answer_over_the_budget_gets_503,
        test_whole_answers_stay_within_the_buffer_budget_and_memory_returns_after,
        test_json_nested_too_deep_is_refused_even_in_fields_not_read,
        test_parser_memory_of_a_big_body_is_released,
        test_at_the_descriptor_limit_health_still_answers_and_the_log_is_quiet,
        test_past_the_connection_cap_busy_connections_keep_their_place,
        test_an_anonymous_fan_out_to_a_hung_server_pins_nothing_after_its_clients_leave,
        test_a_fan_out_with_no_server_to_ask_answers,
    ])
