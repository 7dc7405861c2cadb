"""The OpenAI-compatible data plane over real HTTP: model list merge, streamed and whole chats,
routing rules, and the error shapes clients read."""
import json
import socket
import time

from harness import check, cluster, request, run_tests, sse_events, stream_chunks, raw_exchange

CANARY = "sk-canary-0123456789abcdef"
TWO = [dict(models=["gpt-a", "shared"], name="A", key=CANARY), dict(models=["gpt-b", "shared"], name="B")]


def test_health_and_model_list_merge():
    with cluster(TWO) as c:
        status, _, body = c.gw.get("/health")
        check(status == 200 and json.loads(body) == {"status": True}, body)
        status, hdrs, body = request(c.gw.port, "HEAD", "/health")
        check(status == 200 and body == b"" and hdrs["content-length"] == "15", (status, hdrs, body))
        c.gw.wait_for_models(["gpt-a", "gpt-b"])
        status, hdrs, body = c.gw.get("/openai/models")
        check(status == 200 and hdrs["content-type"] == "application/json", hdrs)
        data = json.loads(body)["data"]
        got = [(m["id"], m["urlIdx"]) for m in data]
        # Open WebUI's merge: concatenated in connection order, duplicates kept with their urlIdx.
        check(got == [("gpt-a", 0), ("shared", 0), ("gpt-b", 1), ("shared", 1)], got)
        for m in data:
            check(m["owned_by"] == "openai" and m["name"] == m["id"], m)
            check(m["openai"]["id"] == m["id"] and m["connection_type"] == "external", m)


def test_streamed_chat_arrives_in_order_and_unchanged():
    with cluster(TWO) as c:
        c.gw.wait_for_models(["gpt-b"])
        body = {"model": "gpt-b", "stream": True,
                "messages": [{"role": "user", "content": "hi"}]}
        # What the upstream sends, read directly ...
        status, _, direct = stream_chunks(c.fakes[1].port, "/v1/chat/completions", body)
        check(status == 200, status)
        # ... must be what the gateway relays, byte for byte, in several pieces as produced.
        status, hdrs, reads = stream_chunks(c.gw.port, "/openai/chat/completions", body)
        check(status == 200 and hdrs["content-type"].startswith("text/event-stream"), hdrs)
        events = sse_events(b"".join(reads))
        check(len(events) == 7, events)  # 5 default chunks + final + [DONE]
        check(events[-1] == "data: [DONE]", events[-1])
        contents = [json.loads(e[6:])["choices"][0]["delta"].get("content") for e in events[:-2]]
        check(contents == [f"B:tok{i} " for i in range(5)], contents)
        check(b"".join(direct) == b"".join(reads), "relayed bytes differ from the upstream's")


def test_stream_is_relayed_as_produced_not_buffered():
    with cluster([dict(models=["slow"], name="S")], env={"OPENAI_API_CONFIGS": '{"0":{"model_ids":["slow+chunks:5+chunk_delay:150"]}}'}) as c:
        c.gw.wait_for_models(["slow+chunks:5+chunk_delay:150"])
        conn_start = time.time()
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", c.gw.port, timeout=10)
        conn.request("POST", "/openai/chat/completions",
                     body=json.dumps({"model": "slow+chunks:5+chunk_delay:150", "stream": True}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        first = r.read1(65536)
        first_at = time.time() - conn_start
        rest = r.read()
        total = time.time() - conn_start
        conn.close()
        check(b"tok0" in first, first)
        # The first event arrives after ~150 ms, long before the stream ends (~900 ms).
        check(first_at < total - 0.4, f"first event at {first_at:.3f}s, end at {total:.3f}s")
        check(rest.rstrip().endswith(b"data: [DONE]"), rest[-80:])


def test_non_streamed_chat_and_key_forwarding():
    with cluster(TWO) as c:
        c.gw.wait_for_models(["gpt-a"])
        status, hdrs, body = c.gw.post("/openai/chat/completions",
                                       {"model": "gpt-a", "messages": [{"role": "user", "content": "hi"}]})
        check(status == 200, body)  # A rejects requests without its key: the key was forwarded
        out = json.loads(body)
        check(out["object"] == "chat.completion", out)
        check(out["choices"][0]["message"]["content"].startswith("A:tok0"), out)


def test_upstream_answer_headers_reach_the_client():
    # A provider's own fields pass (SDKs read Retry-After, x-request-id, rate limits); its cookie,
    # Server, HSTS, hop-by-hop fields and anything quoting the key do not.
    scripted = ["p+error:429+retry_after:7", "p+error:500"]
    spec = [dict(models=["p"], name="P", key=CANARY, extra=("--behave", "provider_headers"))]
    with cluster(spec, env={"OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": ["p"] + scripted}})}) as c:
        c.gw.wait_for_models(["p"])

        def heads(raw):
            head = raw.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")[1:]
            return [tuple(x.strip() for x in line.split(":", 1)) for line in head]

        def check_passed(fields, streamed):
            names = [n.lower() for n, _ in fields]
            got = dict((n.lower(), v) for n, v in fields)
            for name in ["x-request-id", "openai-processing-ms", "x-ratelimit-remaining-requests"]:
                check(name in got, (name, fields))
            for name in ["set-cookie", "strict-transport-security", "x-hop", "x-echo",
                         "access-control-allow-origin", "www-authenticate"]:
                check(name not in got, (name, fields))
            check(got["server"] == "switchboard" and names.count("server") == 1, fields)
            check(names.count("connection") <= 1 and names.count("content-type") == 1, fields)
            if streamed:
                check(names.count("cache-control") == 1 and got["cache-control"] == "no-cache", fields)

        for stream in [False, True]:
            body = json.dumps({"model": "p", "stream": stream}).encode()
            raw = raw_exchange(c.gw.port, b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
                               b"Connection: close\r\nContent-Type: application/json\r\n"
                               b"Content-Length: %d\r\n\r\n" % len(body) + body)
            check(raw.startswith(b"HTTP/1.1 200"), raw[:300])
            check_passed(heads(raw), stream)
        # (An error first: the 429 then keeps the connection aside for its Retry-After.)
        status, hdrs, raw = c.gw.post("/openai/chat/completions", {"model": "p+error:500"})
        check(status == 500 and "x-request-id" in hdrs and hdrs["content-length"] == str(len(raw)), (status, hdrs))
        status, hdrs, raw = c.gw.post("/openai/chat/completions", {"model": "p+error:429+retry_after:7"})
        check(status == 429 and hdrs.get("retry-after") == "7" and "x-request-id" in hdrs, (status, hdrs, raw))
        check("x-echo" not in hdrs and "set-cookie" not in hdrs, hdrs)


def test_expect_100_continue_is_answered():
    with cluster(TWO) as c:
        c.gw.wait_for_models(["gpt-b"])
        body = json.dumps({"model": "gpt-b", "messages": [{"role": "user", "content": "x" * 4000}]})
        s = socket.create_connection(("127.0.0.1", c.gw.port), timeout=5)
        s.sendall(f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        interim = s.recv(4096)
        check(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
        s.sendall(body.encode())
        out = b""
        while b"B:tok4" not in out:
            piece = s.recv(65536)
            check(piece, out)
            out += piece
        check(out.startswith(b"HTTP/1.1 200 OK"), out[:100])
        s.close()

        def head_only(target, expect="100-continue"):
            # The head alone, the body held back: what comes first is the answer to the head.
            s = socket.create_connection(("127.0.0.1", c.gw.port), timeout=5)
            s.sendall(f"POST {target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\nExpect: {expect}\r\n\r\n".encode())
            first = s.recv(4096)
            s.close()
            return first

        # A head its route refuses is answered at once, never told to continue.
        first = head_only("/openai/no/such/route")
        check(first.startswith(b"HTTP/1.1 404") and b"Connection: close" in first, first)
        check(head_only("/openai/chat/completions", "fly-me-to-the-moon").startswith(b"HTTP/1.1 417"), "417")
    with cluster(TWO, env={"WEBUI_AUTH": "True"}) as c:
        first = head_only("/openai/chat/completions")
        check(first.startswith(b"HTTP/1.1 401"), first)


def test_duplicate_models_rotate_over_connections():
    with cluster(TWO, env={"LOAD_BALANCING_POLICY": "round_robin"}) as c:
        c.gw.wait_for_models(["gpt-a", "gpt-b"])
        served = set()
        for _ in range(4):
            status, _, body = c.gw.post("/openai/chat/completions", {"model": "shared"})
            check(status == 200, body)
            served.add(json.loads(body)["choices"][0]["message"]["content"][0])
        check(served == {"A", "B"}, served)


def test_prefix_id_is_exposed_and_stripped_upstream():
    with cluster(TWO, env={"OPENAI_API_CONFIGS": '{"1":{"prefix_id":"bee"}}'}) as c:
        c.gw.wait_for_models(["bee.gpt-b", "bee.shared", "gpt-a"])
        status, _, body = c.gw.post("/openai/chat/completions", {"messages": [], "model": "bee.gpt-b"})
        check(status == 200, body)
        check(c.fakes[1].stats()["last_model"] == "gpt-b", c.fakes[1].stats())
        status, _, body = c.gw.post("/openai/chat/completions", {"model": "gpt-b"})
        check(status == 404, body)


def test_client_errors_have_one_json_shape():
    with cluster(TWO) as c:
        c.gw.wait_for_models(["gpt-a"])
        cases = [
            ({"model": "no-such-model"}, 404, "Model not found"),
            ('{"model": "gpt-a"', 400, "not valid JSON"),
            ({"model": 5}, 400, "'model' must be a string"),
            ({"model": "gpt-a", "stream": "yes"}, 400, "'stream' must be a boolean"),
            ({"messages": []}, 400, "'model' is required"),
            ('{"model":"gpt-a","stream":nu\u0019:"a"}', 400, "'stream' must be a boolean"),  # once a crash
        ]
        before = c.fakes[0].stats()["chat_requests"] + c.fakes[1].stats()["chat_requests"]
        for body, want_status, want_text in cases:
            status, hdrs, raw = c.gw.post("/openai/chat/completions", body)
            check(status == want_status, (body, status, raw))
            err = json.loads(raw)
            check(want_text in err["detail"] and err["error"]["message"] == err["detail"], err)
            check(err["error"]["code"] == want_status and err["error"]["type"], err)
        after = c.fakes[0].stats()["chat_requests"] + c.fakes[1].stats()["chat_requests"]
        check(before == after, "a rejected request reached an upstream")
        status, _, raw = c.gw.get("/no/such/route")
        check(status == 404 and json.loads(raw)["detail"] == "Not Found", raw)
        status, _, raw = c.gw.get("/openai/chat/completions")
        check(status == 405, raw)
        # Oversized headers: 431 even while the client is still sending them.
        raw = raw_exchange(c.gw.port, b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nX-Big: "
                           + b"y" * 40000 + b"\r\nContent-Length: 2\r\n\r\n{}")
        check(raw.startswith(b"HTTP/1.1 431"), raw[:200])
        # A declared body over the limit: 413 before the body is read.
        raw = raw_exchange(c.gw.port, b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Length: 100000000000\r\n\r\n{")
        check(raw.startswith(b"HTTP/1.1 413"), raw[:200])
        # Request smuggling shapes: both Content-Length and chunked.
        raw = raw_exchange(c.gw.port, b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        check(raw.startswith(b"HTTP/1.1 400"), raw[:200])


def test_metrics_count_requests_and_upstreams():
    with cluster(TWO) as c:
        c.gw.wait_for_models(["gpt-a"])
        for _ in range(3):
            c.gw.post("/openai/chat/completions", {"model": "gpt-a"})
        c.gw.post("/openai/chat/completions", {"model": "missing"})
        # A request is counted once its answer is written: the client may ask first.
        deadline = time.time() + 5
        while True:
            status, hdrs, raw = c.gw.get("/metrics")
            text = raw.decode()
            if 'switchboard_requests_total{route="/openai/chat/completions"} 4' in text:
                break
            check(time.time() < deadline, text[:2000])
            time.sleep(0.02)
        check(status == 200 and hdrs["content-type"].startswith("text/plain"), hdrs)
        check('switchboard_requests_total{route="/openai/chat/completions"} 4' in text, text[:2000])
        check('switchboard_request_errors_total{route="/openai/chat/completions"} 1' in text, text[:2000])
        check('switchboard_upstream_requests_total{kind="openai",idx="0"' in text, text)
        check("switchboard_request_duration_seconds_bucket" in text and "switchboard_open_streams 0" in text, text)
        check("switchboard_upstream_pool_idle" in text and "switchboard_upstream_healthy" in text, text)
        check(CANARY not in text, "a key leaked into /metrics")


def test_ollama_connections_are_probed_and_cataloged():
    from harness import FakeUpstream
    ollama = FakeUpstream(models=["llama3:latest", "qwen:7b"], name="O")
    try:
        with cluster(TWO, env={"ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": ollama.base}) as c:
            c.gw.wait_for_models(["gpt-a", "gpt-b"])
            deadline = time.time() + 5
            while time.time() < deadline:
                text = c.gw.get("/metrics")[2].decode()
                if "switchboard_catalog_models 5" in text:
                    break
                time.sleep(0.05)
            check("switchboard_catalog_models 5" in text, text)  # gpt-a, shared, gpt-b + 2 Ollama
            check('switchboard_upstream_healthy{kind="ollama",idx="0"' in text, text)
            # Ollama models are not OpenAI connections: /openai/models lists only those.
            ids = [m["id"] for m in json.loads(c.gw.get("/openai/models")[2])["data"]]
            check("llama3:latest" not in ids, ids)
        check(ollama.stats()["requests"] >= 1, "the Ollama connection was never asked for /api/tags")
    finally:
        ollama.stop()


def test_secrets_never_leak():
    with cluster(TWO) as c:
        c.gw.wait_for_models(["gpt-a"])
        status, _, raw = c.gw.get("/openai/config")
        check(status == 200 and CANARY not in raw.decode(), raw)
        check(json.loads(raw)["OPENAI_API_KEYS"][0] == "****" + CANARY[-4:], raw)
        c.gw.post("/openai/chat/completions", {"model": "gpt-a+error:401"})
    check(CANARY not in c.gw.output(), "a key leaked into the log")


if __name__ == "__main__":
    run_tests([test_health_and_model_list_merge, test_streamed_chat_arrives_in_order_and_unchanged,
               test_stream_is_relayed_as_produced_not_buffered, test_non_streamed_chat_and_key_forwarding,
               test_upstream_answer_headers_reach_the_client,
               test_expect_100_continue_is_answered, test_duplicate_models_rotate_over_connections, test_prefix_id_is_exposed_and_stripped_upstream,
               test_client_errors_have_one_json_shape, test_metrics_count_requests_and_upstreams,
               test_ollama_connections_are_probed_and_cataloged, test_secrets_never_leak])
