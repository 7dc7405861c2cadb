"""What clients see when upstreams misbehave (scripted by model name in the fake upstream):
clear JSON errors with the right status, explicit error events in cut streams, timeouts instead of
hangs, and upstream requests cancelled as soon as their client leaves."""
import http.client
import signal

import harness
import json
import re
import socket
import time

from harness import FakeUpstream, Gateway, check, cluster, run_tests, sse_events, stream_chunks

BEHAVIOURS = ["m+stall_after:2", "m+reset_after:2", "m+garbage", "m+empty", "m+html_500", "m+error:429",
              "m+slow_ttft:3000", "m+chunks:3", "m+stall_after:1", "m+chunks:500000"]


def behaviour_cluster(env=None):
    # model_ids lists the scripted names, so they are routable without a /models call.
    configs = {"0": {"model_ids": BEHAVIOURS}}
    e = {"OPENAI_API_CONFIGS": json.dumps(configs)}
    e.update(env or {})
    return cluster([dict(models=["m"], name="F")], env=e)


def test_unreachable_upstream_gives_a_clear_502_fast():
    port = harness.refused_port()  # connections there are refused
    gw = Gateway({"OPENAI_API_BASE_URLS": f"http://127.0.0.1:{port}/v1",
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": ["ghost"]}})})
    try:
        gw.wait_for_models(["ghost"])
        start = time.time()
        status, _, raw = gw.post("/openai/chat/completions", {"model": "ghost"})
        check(time.time() - start < 2, "took too long")
        check(status == 502, (status, raw))
        err = json.loads(raw)
        check("unreachable" in err["detail"] and err["error"]["type"] == "upstream_error", err)
        check(f"{port}" not in err["detail"], "the upstream address leaked into a client error")
    finally:
        check(gw.stop() == 0, gw.output())


def test_unreachable_connection_fails_over_to_another_serving_the_model():
    dead_port = harness.refused_port()  # connections there are refused
    fake = FakeUpstream(models=["shared"], name="A")
    # Connection 0 lists "shared" without being asked (model_ids) but is down; connection 1 serves it.
    gw = Gateway({"OPENAI_API_BASE_URLS": f"http://127.0.0.1:{dead_port}/v1;{fake.url}",
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": ["shared"]}})})
    try:
        gw.wait_for_models(["shared"])
        deadline = time.time() + 5
        while len([m for m in json.loads(gw.get("/openai/models")[2])["data"] if m["id"] == "shared"]) < 2:
            check(time.time() < deadline, "both connections never listed the model")
            time.sleep(0.05)
        for _ in range(6):
            status, _, raw = gw.post("/openai/chat/completions", {"model": "shared"})
            check(status == 200 and b"A:tok0" in raw, (status, raw))
        metrics = gw.get("/metrics")[2].decode()
        check("switchboard_failovers_total 1\n" in metrics, metrics)  # then skipped while cooling down
        check(f'switchboard_upstream_healthy{{kind="openai",idx="0",host="127.0.0.1:{dead_port}",id="' in metrics, metrics)
        check(re.search(f'switchboard_upstream_healthy{{kind="openai",idx="0",host="127.0.0.1:{dead_port}",id="[0-9a-f]{{12}}"}} 0', metrics), metrics)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_dead_upstream_does_not_block_the_model_list():
    # The second connection accepts TCP but never answers: a hung upstream.
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)
    fake = FakeUpstream(models=["alive"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{fake.url};http://127.0.0.1:{hung.getsockname()[1]}/v1",
                  "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST": "30"})
    try:
        start = time.time()
        gw.wait_for_models(["alive"])
        check(time.time() - start < 2, "the live connection's models waited for the hung one")
        for _ in range(5):
            start = time.time()
            status, _, raw = gw.get("/openai/models")
            check(status == 200 and time.time() - start < 0.5, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()
        hung.close()


def test_upstream_reset_mid_stream_ends_with_an_error_event():
    with behaviour_cluster() as c:
        c.gw.wait_for_models(["m+reset_after:2"])
        status, _, reads = stream_chunks(c.gw.port, "/openai/chat/completions",
                                         {"model": "m+reset_after:2", "stream": True})
        check(status == 200, status)
        events = sse_events(b"".join(reads))
        check(len(events) == 3, events)
        check(all("chat.completion.chunk" in e for e in events[:2]), events)
        err = json.loads(events[2][len("data: "):])
        check(err["error"]["type"] == "upstream_error" and "[DONE]" not in b"".join(reads).decode(), events)
        metrics = c.gw.get("/metrics")[2].decode()
        check("switchboard_upstream_stream_errors_total 1" in metrics, metrics)


def test_stalled_stream_times_out_with_an_error_event():
    with behaviour_cluster({"AIOHTTP_CLIENT_TIMEOUT": "0.5"}) as c:
        c.gw.wait_for_models(["m+stall_after:1"])
        start = time.time()
        status, _, reads = stream_chunks(c.gw.port, "/openai/chat/completions",
                                         {"model": "m+stall_after:1", "stream": True})
        check(time.time() - start < 3, "stalled stream was not cut")
        events = sse_events(b"".join(reads))
        check(len(events) == 2 and "sent nothing for 0.5 s (UPSTREAM_IDLE_TIMEOUT)" in events[1], events)
        # The gateway dropped the upstream connection: the fake sees its client leave.
        deadline = time.time() + 2
        while c.fakes[0].stats()["disconnects"] < 1 and time.time() < deadline:
            time.sleep(0.02)
        check(c.fakes[0].stats()["disconnects"] >= 1, c.fakes[0].stats())


def test_slow_first_byte_gives_504():
    with behaviour_cluster({"AIOHTTP_CLIENT_TIMEOUT": "0.5"}) as c:
        c.gw.wait_for_models(["m+slow_ttft:3000"])
        start = time.time()
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+slow_ttft:3000"})
        check(status == 504 and time.time() - start < 2, (status, raw))
        check(json.loads(raw)["error"]["type"] == "upstream_timeout", raw)


def test_bad_upstream_answers_are_sanitized():
    with behaviour_cluster() as c:
        c.gw.wait_for_models(["m+garbage"])
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+garbage"})
        check(status == 502 and b"not json at all" not in raw, (status, raw))
        # An empty success is no answer an SDK can read either.
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+empty"})
        check(status == 502 and "not JSON" in json.loads(raw)["detail"], (status, raw))
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+html_500"})
        check(status == 502 and b"<html>" not in raw, (status, raw))
        check("returned HTTP 500" in json.loads(raw)["detail"], raw)
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+error:429"})
        err = json.loads(raw)
        check(status == 429 and err["detail"] == "fake upstream error" and err["error"]["code"] == 429, raw)


def client_leaves_after(c, body, read_first):
    sent_before = c.fakes[0].stats()["chat_requests"]
    conn = http.client.HTTPConnection("127.0.0.1", c.gw.port, timeout=10)
    conn.request("POST", "/openai/chat/completions", body=json.dumps(body),
                 headers={"Content-Type": "application/json"})
    if read_first:
        r = conn.getresponse()
        r.read1(65536)
    else:  # wait until the request reached the upstream
        deadline = time.time() + 5
        while c.fakes[0].stats()["chat_requests"] <= sent_before:
            check(time.time() < deadline, "the request never reached the upstream")
            time.sleep(0.01)
    left = time.time()
    conn.sock.shutdown(socket.SHUT_RDWR)
    conn.close()
    return left


def test_client_leaving_cancels_the_upstream_request():
    # The upstream holds each request far longer than the test waits: a stream stalled after two
    # chunks (the gateway's own idle timeout is 120 s) and a first byte 60 s away. Nothing but
    # the client's departure can end them within the deadline, so the upstream seeing the
    # disconnect at all proves the cancel; no wall-clock bound is needed.
    models = ["m+stall_after:2", "m+slow_ttft:60000", "m+chunks:3"]
    with cluster([dict(models=["m"], name="F")],
                 env={"OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": models}}),
                      "AIOHTTP_CLIENT_TIMEOUT": "120"}) as c:
        c.gw.wait_for_models(models)
        fake = c.fakes[0]
        for body, read_first in [({"model": "m+stall_after:2", "stream": True}, True),
                                 ({"model": "m+slow_ttft:60000"}, False)]:
            before = fake.stats()
            client_leaves_after(c, body, read_first)
            deadline = time.time() + 10  # far below 60 s and 120 s, far above any scheduling delay
            while fake.stats()["disconnects"] == before["disconnects"]:
                check(time.time() < deadline, f"the upstream never saw the cancel: {fake.stats()}")
                time.sleep(0.01)
            after = fake.stats()
            check(after["disconnects"] == before["disconnects"] + 1, after)
            check(after["completed_streams"] == before["completed_streams"], after)
        deadline = time.time() + 5
        while True:  # the gateway's own books close too
            metrics = c.gw.get("/metrics")[2].decode()
            if ("switchboard_client_cancels_total 2" in metrics and "switchboard_open_streams 0" in metrics
                    and "switchboard_upstream_in_flight{" in metrics
                    and all(l.endswith(" 0") for l in metrics.splitlines()
                            if l.startswith("switchboard_upstream_in_flight{"))):
                break
            check(time.time() < deadline, metrics)
            time.sleep(0.02)
        # And the gateway still serves.
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+chunks:3"})
        check(status == 200, raw)


def test_client_leaving_while_its_chunk_is_written_still_cancels_the_upstream():
    # The departure may be noticed while the gateway writes to the client, when there is no
    # upstream read to cancel: once that write completes, the relay must not start a read and
    # wait on an upstream that has gone quiet. (That race was lost about once in three runs of
    # test_client_leaving_cancels_the_upstream_request; this shape of it -- a burst, then
    # silence, a client that fills its buffer, half-closes, then drains -- is the closest to a
    # deterministic one found.)
    import threading
    from scripted_upstream import ScriptedUpstream
    event = b"data: " + json.dumps({"choices": [{"delta": {"content": "x" * 200}}]}).encode() + b"\n\n"
    burst = event * (200_000 // len(event))
    closed = threading.Event()

    def handler(up, conn, req):
        if req.method != "POST":
            return None
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                     b"Content-Length: %d\r\n\r\n" % (len(burst) * 2) + burst)
        conn.settimeout(5)
        try:
            conn.recv(1)  # nothing more is sent; returns when the gateway closes
        except OSError:
            pass
        closed.set()
        return False

    up = ScriptedUpstream(handler)
    gw = Gateway({"OPENAI_API_BASE_URLS": up.url})
    try:
        gw.wait_for_models(["m"])
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", gw.port))
        body = json.dumps({"model": "m", "stream": True})
        s.sendall(f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
        # The gateway's writes fill the client's receive buffer, then block with the burst's end.
        import fcntl, struct, termios
        deadline = time.time() + 5
        while struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, b"\0" * 4))[0] < 4000:
            check(time.time() < deadline, "the gateway never filled the client's buffer")
            time.sleep(0.01)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(5)
        try:
            while s.recv(65536):
                pass
        except OSError:
            pass
        s.close()
        check(closed.wait(3), "the upstream request outlived its client")
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()


def test_pooled_connection_closed_by_upstream_is_replaced_by_a_fresh_one():
    # One I/O thread and no model refresh in between: the chat's own pooled connection is reused.
    with behaviour_cluster({"THREADS": "1", "MODELS_REFRESH_INTERVAL": "60"}) as c:
        c.gw.wait_for_models(["m+chunks:3"])
        check(c.gw.post("/openai/chat/completions", {"model": "m+chunks:3"})[0] == 200, "first request")
        # The upstream restarts on the same port: the gateway's pooled connection is now dead.
        port = c.fakes[0].port
        c.fakes[0].stop()
        from harness import Process
        c.fakes[0] = Process([harness.ARGS.fake, "--models", "m", "--name", "F2", "--port", str(port)])
        c.fakes[0].wait_for_line(r"^PORT")
        c.fakes[0].port = port
        status, _, raw = c.gw.post("/openai/chat/completions", {"model": "m+chunks:3"})
        check(status == 200 and b"F2:tok0" in raw, (status, raw))
        # Found closed before the request was sent (the pool's peek), or on sending (the retry).
        metrics = c.gw.get("/metrics")[2].decode()
        found = sum(int(l.rsplit(" ", 1)[1]) for l in metrics.splitlines()
                    if l.startswith(("switchboard_upstream_stale_retries_total{",
                                     "switchboard_upstream_pool_discards_total{")))
        check(found == 1, metrics)


def test_a_post_the_upstream_received_is_never_sent_again():
    # Two connections serve "m"; each reads the whole request, waits 0.2 s and closes (or resets)
    # without answering. It may have acted on it (a generation billed, a tool run): 502, sent once.
    for behave in ["hangup:200", "hangup_rst:200"]:
        fakes = [FakeUpstream(models=["m"], name=n, extra=("--behave", behave)) for n in "AB"]
        gw = Gateway({"OPENAI_API_BASE_URLS": ";".join(f.url for f in fakes)})
        try:
            gw.wait_for_models(["m"])
            deadline = time.time() + 5
            while len([m for m in json.loads(gw.get("/openai/models")[2])["data"] if m["id"] == "m"]) < 2:
                check(time.time() < deadline, "both connections never listed the model")
                time.sleep(0.05)
            for n in range(3):
                status, _, raw = gw.post("/openai/chat/completions", {"model": "m"})
                check(status == 502, (behave, status, raw))
                check("not sent again" in json.loads(raw)["detail"], raw)
                received = sum(f.stats()["chat_requests"] for f in fakes)
                check(received == n + 1, f"{behave}: {received} upstream requests for {n + 1} client requests")
        finally:
            check(gw.stop() == 0, gw.output())
            for f in fakes:
                f.stop()


def test_header_deadline_closes_slow_clients():
    with behaviour_cluster({"CLIENT_HEADER_TIMEOUT": "0.5"}) as c:
        s = socket.create_connection(("127.0.0.1", c.gw.port))
        s.sendall(b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n")
        start = time.time()
        s.settimeout(5)
        closed = False
        try:
            while time.time() - start < 3:
                s.sendall(b"X-Slow: 1\r\n")  # a header line now and then, never the end
                time.sleep(0.1)
        except OSError:
            closed = True
        if not closed:
            try:
                closed = s.recv(1) == b""
            except OSError:
                closed = True
        check(closed and time.time() - start < 2, f"slow header still open after {time.time() - start:.1f}s")
        s.close()


def test_idle_keep_alive_connections_are_closed():
    with behaviour_cluster({"CLIENT_IDLE_TIMEOUT": "0.5"}) as c:
        conn = http.client.HTTPConnection("127.0.0.1", c.gw.port, timeout=5)
        conn.request("GET", "/health")
        check(conn.getresponse().read() == b'{"status":true}', "first request")
        start = time.time()
        check(conn.sock.recv(1) == b"", "connection not closed")
        waited = time.time() - start
        check(0.3 < waited < 2, f"closed after {waited:.2f}s")
        conn.close()


def test_sigterm_with_a_stuck_stream_exits_after_the_drain_deadline():
    with behaviour_cluster({"DRAIN_TIMEOUT": "1"}) as c:
        c.gw.wait_for_models(["m+stall_after:2"])
        conn = http.client.HTTPConnection("127.0.0.1", c.gw.port, timeout=10)
        conn.request("POST", "/openai/chat/completions", body=json.dumps({"model": "m+stall_after:2", "stream": True}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        first = r.read1(65536)
        start = time.time()
        c.gw.proc.send_signal(signal.SIGTERM)
        rest = r.read()  # to the close: the stream must end with an error event, not just stop
        events = sse_events(first + rest)
        check(len(events) == 3 and "shutting down" in events[-1] and '"error"' in events[-1], events)
        check(b"[DONE]" not in first + rest, "a cut stream claimed to be complete")
        rc = c.gw.proc.wait(10)
        check(rc == 0 and time.time() - start < 5, f"exit {rc} after {time.time() - start:.1f}s")
        conn.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def io_bytes(pid):
    """Bytes the process has read and written through system calls (sockets included)."""
    fields = dict(line.split(":") for line in open(f"/proc/{pid}/io"))
    return int(fields["rchar"]), int(fields["wchar"])


def test_slow_client_backpressures_the_upstream():
    # ~95 MB of SSE to a client that stops reading: the gateway must not buffer it. Measured by
    # the kernel's count of the bytes the gateway read and wrote (so it holds under ASan too):
    # what it read from the upstream and has not written to the client is what it holds.
    with behaviour_cluster({"MODELS_REFRESH_INTERVAL": "60", "GLOBAL_LOG_LEVEL": "info"}) as c:
        c.gw.wait_for_models(["m+chunks:500000"])
        read0, written0 = io_bytes(c.gw.proc.pid)
        s = socket.create_connection(("127.0.0.1", c.gw.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        body = json.dumps({"model": "m+chunks:500000", "stream": True})
        s.sendall(f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
        first = s.recv(4096)
        check(b"200 OK" in first, first)
        # Until the pipe is blocked end to end (the gateway reads nothing more for half a second):
        # at every look it holds at most 1 MiB the client has not taken.
        deadline, last, still = time.time() + 20, -1, 0
        while still < 5:
            read, written = io_bytes(c.gw.proc.pid)
            held = (read - read0) - (written - written0)
            check(held < 1 << 20, f"the gateway holds {held} bytes the client has not taken")
            still = still + 1 if read == last else 0
            check(time.time() < deadline, f"the upstream was never held back ({read - read0} bytes read)")
            last = read
            time.sleep(0.1)
        check(read - read0 < 50 << 20, f"{read - read0} bytes came from the upstream")
        stats = c.fakes[0].stats()
        check(stats["completed_streams"] == 0, f"the upstream finished a stream nobody read: {stats}")
        if not harness.SANITIZED:  # and as the process's memory sees it
            before = rss_kb(c.gw.proc.pid)
            time.sleep(0.5)
            check(rss_kb(c.gw.proc.pid) - before < 8 * 1024, "gateway RSS grew while the client did not read")
        s.close()
        deadline = time.time() + 3
        while c.fakes[0].stats()["disconnects"] < 1:
            check(time.time() < deadline, "the upstream request was not cancelled")
            time.sleep(0.02)


if __name__ == "__main__":
    run_tests([test_unreachable_upstream_gives_a_clear_502_fast,
               test_a_post_the_upstream_received_is_never_sent_again,
               test_unreachable_connection_fails_over_to_another_serving_the_model,
               test_dead_upstream_does_not_block_the_model_list,
               test_upstream_reset_mid_stream_ends_with_an_error_event,
               test_stalled_stream_times_out_with_an_error_event, test_slow_first_byte_gives_504,
               test_bad_upstream_answers_are_sanitized, test_client_leaving_cancels_the_upstream_request,
               test_client_leaving_while_its_chunk_is_written_still_cancels_the_upstream,
               test_slow_client_backpressures_the_upstream,
               test_pooled_connection_closed_by_upstream_is_replaced_by_a_fresh_one, test_header_deadline_closes_slow_clients,
               test_idle_keep_alive_connections_are_closed,
               test_sigterm_with_a_stuck_stream_exits_after_the_drain_deadline])
