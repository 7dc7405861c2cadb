"""Every answer reaches the caller who asked, whatever the upstream does on a pooled keep-alive
connection: interim 1xx answers, answers nobody asked for, closes on receipt, restarts. And no
request is ever left without an answer."""
import json
import os
import socket
import threading
import time

from harness import FakeUpstream, Gateway, check, in_parallel, metric, run_tests
from scripted_upstream import ScriptedUpstream


def chat(gw, tag, stream=False):
    return gw.post("/openai/chat/completions",
                   {"model": "m", "stream": stream, "messages": [{"role": "user", "content": tag}]})


def tag_of(req):
    return req.json()["messages"][0]["content"]


def content_of(raw):
    return json.loads(raw)["choices"][0]["message"]["content"]


def wait_metric(gw, name, at_least, timeout=5.0):
    deadline = time.time() + timeout
    while metric(gw, name) < at_least:
        check(time.time() < deadline, f"{name} never reached {at_least}")
        time.sleep(0.02)


def scripted_gateway(up, env=None):
    e = {"OPENAI_API_BASE_URLS": up.url, "THREADS": "1"}
    e.update(env or {})
    gw = Gateway(e)
    gw.wait_for_models(["m"])
    return gw


def test_interim_1xx_answers_are_skipped_and_every_caller_gets_its_own_answer():
    def handler(up, conn, req):
        if req.method != "POST":
            return None
        tag = tag_of(req)
        interim = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        if tag.endswith("-twice"):
            interim = b"HTTP/1.1 100 Continue\r\n\r\n" + interim
        if req.json().get("stream"):
            event = json.dumps({"choices": [{"index": 0, "delta": {"content": tag}}]})
            body = f"data: {event}\n\ndata: [DONE]\n\n".encode()
            conn.sendall(interim + b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        else:
            conn.sendall(interim)
            time.sleep(0.01)  # the final answer in a later read than the interim one
            conn.sendall(up.json_answer(200, up.completion(tag)))
        return True

    up = ScriptedUpstream(handler)
    gw = scripted_gateway(up)
    try:
        for i in range(12):
            tag = f"caller-{i}" + ("-twice" if i % 3 == 0 else "")
            if i % 4 == 3:
                status, _, raw = chat(gw, tag, stream=True)
                check(status == 200 and tag.encode() in raw and b"[DONE]" in raw, (status, raw))
            else:
                status, _, raw = chat(gw, tag)
                check(status == 200 and content_of(raw) == tag, (i, status, raw))
        posts = [r for r in up.requests if r.method == "POST"]
        check(len({r.conn_no for r in posts}) == 1, "the connection was not reused across 1xx answers")
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()


def test_unsolicited_answer_makes_the_connection_unfit_for_reuse():
    # After each real answer the upstream sends a second, unasked one: at once (same write) or a
    # little later (while the connection sits in the pool). Neither may reach the next caller.
    def handler(up, conn, req):
        if req.method != "POST":
            return None
        tag = tag_of(req)
        ghost = up.json_answer(200, up.completion("ghost-of-" + tag))
        if tag.startswith("same"):
            conn.sendall(up.json_answer(200, up.completion(tag)) + ghost)
            up.bump("ghosts")
        else:
            conn.sendall(up.json_answer(200, up.completion(tag)))

            def late():
                time.sleep(0.05)
                try:
                    conn.sendall(ghost)
                finally:
                    up.bump("ghosts")
            threading.Thread(target=late, daemon=True).start()
        return True

    up = ScriptedUpstream(handler)
    gw = scripted_gateway(up)
    try:
        for i in range(8):
            tag = ("same-" if i % 2 else "late-") + str(i)
            status, _, raw = chat(gw, tag)
            check(status == 200 and content_of(raw) == tag, (i, status, raw))
            up.wait_for(lambda u: u.counters.get("ghosts", 0) >= i + 1, what="the unasked answer sent")
        wait_metric(gw, "switchboard_upstream_pool_discards_total", 1)
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()


def test_retry_after_a_dead_pooled_connection_always_opens_a_fresh_one():
    # Fill the pool with several connections, then make every old one close on receipt of a
    # request (an upstream that restarted behind a proxy does this). The retry must not take
    # another dead pooled connection: every request gets an answer, from a new connection.
    pooled = 6
    gate = threading.Barrier(pooled + 1)
    state = {"old": 0}

    def handler(up, conn, req):
        if req.method != "POST":
            return None
        tag = tag_of(req)
        if tag.startswith("fill"):
            gate.wait(10)  # all fill requests in flight at once: one connection each
        elif req.conn_no <= state["old"]:
            return False  # close without answering
        conn.sendall(up.json_answer(200, up.completion(tag)))
        return True

    up = ScriptedUpstream(handler)
    gw = scripted_gateway(up)
    try:
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(chat(gw, f"fill-{i}")))
                   for i in range(pooled)]
        for t in threads:
            t.start()
        gate.wait(10)
        for t in threads:
            t.join(10)
        check(len(results) == pooled and all(r[0] == 200 for r in results), results)
        state["old"] = up.connections
        for i in range(pooled):
            status, _, raw = chat(gw, f"after-{i}")
            check(status == 200 and content_of(raw) == f"after-{i}", (i, status, raw))
        check(metric(gw, "switchboard_upstream_stale_retries_total") >= 1, "no retry happened")
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()


def test_upstream_restart_with_16_stale_pooled_connections_answers_every_request():
    fake = FakeUpstream(models=["m"], name="A")
    port = fake.port
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url,
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": ["m+chunk_delay:100"]}})})
    try:
        gw.wait_for_models(["m+chunk_delay:100"])
        results = []

        def slow_stream():
            results.append(gw.post("/openai/chat/completions",
                                   {"model": "m+chunk_delay:100", "stream": True})[0])
        in_parallel(slow_stream, 16)
        check(results == [200] * 16, results)
        check(metric(gw, "switchboard_upstream_pool_idle") >= 2, "the pool did not fill")
        fake.stop()
        fake = FakeUpstream(models=["m"], name="B", port=port)
        answers = []

        def one():
            try:
                answers.append(gw.post("/openai/chat/completions", {"model": "m+chunk_delay:100"},
                                       timeout=10)[0])
            except Exception as e:  # a hang shows as a timeout here
                answers.append(repr(e))
        in_parallel(one, 12)
        check(answers == [200] * 12, answers)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def syn_sent_sockets(pid, port):
    """Sockets of process `pid` in SYN-SENT towards 127.0.0.1:`port` (their inodes)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    found = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            remote, state, inode = cols[2], cols[3], cols[9]
            if state == "02" and int(remote.split(":")[1], 16) == port and inode in inodes:
                found.add(inode)
    return found


def accept_queue(port):
    """How many connections wait in the accept queue of the socket listening on `port`."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].split(":")[1], 16) == port:
                return int(cols[4].split(":")[1], 16)  # rx_queue of a listener: its accept queue
    return 0


def test_client_leaving_during_the_fresh_connect_cancels_it():
    # The pooled connection dies on receipt of the request; the fresh connect then hangs (the
    # upstream's accept queue is full, so its SYNs are dropped). The client leaves meanwhile: the
    # connect must be abandoned at once (it used to touch the freed pooled connection instead).
    # No periodic list refresh: the only connect towards the upstream is the request's own.
    state = {"close_old": False}

    def handler(up, conn, req):
        if req.method != "POST":
            return None
        if state["close_old"]:
            return False
        conn.sendall(up.json_answer(200, up.completion(tag_of(req))))
        return True

    up = ScriptedUpstream(handler, backlog=1)
    gw = scripted_gateway(up, {"UPSTREAM_CONNECT_TIMEOUT": "30", "MODELS_REFRESH_INTERVAL": "60"})
    fillers = []
    try:
        status, _, raw = chat(gw, "first")
        check(status == 200, (status, raw))
        up.stop_accepting()
        time.sleep(0.1)  # set-up only: the accept loop's last accept() times out after 0.05 s
        accepted = up.connections
        for _ in range(4):  # fill the accept queue (backlog 1 holds 2); later connects hang
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", up.port))
            fillers.append(s)
        deadline = time.time() + 5
        while accept_queue(up.port) < 2:
            check(time.time() < deadline, "the upstream's accept queue never filled")
            time.sleep(0.01)
        state["close_old"] = True
        connect_failures = metric(gw, "switchboard_upstream_connect_failures_total")
        client = socket.create_connection(("127.0.0.1", gw.port))
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "second"}]})
        client.sendall((f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                        + body).encode())
        wait_metric(gw, "switchboard_upstream_stale_retries_total", 1)
        # The phase under test, observed rather than slept for: the gateway's fresh connect is
        # sitting in SYN-SENT towards the upstream.
        deadline = time.time() + 5
        while not syn_sent_sockets(gw.proc.pid, up.port):
            check(time.time() < deadline, "the fresh connect never started")
            time.sleep(0.01)
        check(metric(gw, "switchboard_client_cancels_total") == 0, "cancelled before the fresh connect")
        check(up.connections == accepted, "the upstream accepted a connection: set-up broken")
        client.close()
        # Abandoned at once: the cancel is counted, the connect fails as aborted (long before the
        # 30 s connect timeout) and its socket is gone.
        wait_metric(gw, "switchboard_client_cancels_total", 1, timeout=3)
        wait_metric(gw, "switchboard_upstream_connect_failures_total", connect_failures + 1, timeout=3)
        deadline = time.time() + 3
        while syn_sent_sockets(gw.proc.pid, up.port):
            check(time.time() < deadline, "the fresh connect was not abandoned")
            time.sleep(0.01)
        check(metric(gw, "switchboard_upstream_pool_in_use") == 0, "a connection is still held")
        # The gateway still serves once the upstream accepts again.
        for s in fillers:
            s.close()
        fillers.clear()
        state["close_old"] = False
        up.accepting = True
        status, _, raw = chat(gw, "third")
        check(status == 200 and json.loads(raw)["choices"][0]["message"]["content"] == "third",
              (status, raw))
    finally:
        for s in fillers:
            s.close()
        check(gw.stop() == 0, gw.output())
        up.close()


def test_http10_client_gets_a_close_delimited_stream():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url})
    try:
        gw.wait_for_models(["m"])
        body = json.dumps({"model": "m", "stream": True})
        s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
        s.sendall((f"POST /openai/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
        raw = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            raw += piece
        s.close()
        head, payload = raw.split(b"\r\n\r\n", 1)
        check(head.startswith(b"HTTP/1.0 200"), head)
        check(b"transfer-encoding" not in head.lower() and b"content-length" not in head.lower(), head)
        events = [e for e in payload.decode().split("\n\n") if e]
        check(len(events) == 7 and all(e.startswith("data: ") for e in events), payload)
        check(events[-1] == "data: [DONE]", events)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


if __name__ == "__main__":
    run_tests([
        test_interim_1xx_answers_are_skipped_and_every_caller_gets_its_own_answer,
        test_unsolicited_answer_makes_the_connection_unfit_for_reuse,
        test_retry_after_a_dead_pooled_connection_always_opens_a_fresh_one,
        test_upstream_restart_with_16_stale_pooled_connections_answers_every_request,
        test_client_leaving_during_the_fresh_connect_cancels_it,
        test_http10_client_gets_a_close_delimited_stream,
    ])
