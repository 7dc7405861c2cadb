"""/ollama over several fake Ollama servers: the merged catalog with `urls`, routing only to
servers holding the model, every inference and management route, url_idx checks, NDJSON relayed as
produced, cut streams, clients that leave, admin-only refusals with nothing forwarded, and errors
shaped for Ollama's clients."""
import http.client
import harness
import json
import socket
import time

from harness import FakeUpstream, Gateway, check, request, run_tests, stream_chunks


class ollama_cluster:
    """Fake Ollama servers and a gateway pointed at them (OpenAI side off)."""

    def __init__(self, servers, configs=None, env=None):
        self.servers = servers
        self.configs = configs
        self.env = env or {}
        self.fakes = []
        self.gw = None

    def __enter__(self):
        try:
            for spec in self.servers:
                self.fakes.append(FakeUpstream(**spec))
            env = {"ENABLE_OLLAMA_API": "True", "ENABLE_OPENAI_API": "False",
                   "OLLAMA_BASE_URLS": ";".join(f.base for f in self.fakes)}
            if self.configs is not None:
                env["OLLAMA_API_CONFIGS"] = json.dumps(self.configs)
            env.update(self.env)
            self.gw = Gateway(env)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        rc = self.gw.stop() if self.gw else 0
        for f in self.fakes:
            f.stop()
        if exc[0] is None and rc != 0:
            raise AssertionError(f"gateway exited with {rc}; output:\n{self.gw.output()}")
        return False

    def tags(self, path="/ollama/api/tags"):
        status, _, body = self.gw.get(path)
        check(status == 200, (status, body))
        return {m["model"]: m for m in json.loads(body)["models"]}

    def wait_for(self, names, timeout=10.0, path="/ollama/api/tags"):
        deadline = time.time() + timeout
        while True:
            have = self.tags(path)
            if all(n in have for n in names):
                return have
            check(time.time() < deadline, f"models {names} not listed; have {list(have)}")
            time.sleep(0.05)

    def wait_gone(self, name, timeout=10.0):
        deadline = time.time() + timeout
        while name in self.tags():
            check(time.time() < deadline, f"{name} still listed")
            time.sleep(0.05)


def post(gw, path, body, method="POST", headers=None):
    status, hdrs, raw = request(gw.port, method, path, json.dumps(body), headers=headers)
    return status, hdrs, raw


def ndjson(raw):
    return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]


def two_servers(**kw):
    return ollama_cluster([dict(models=["llama3:latest", "shared:latest"], name="A"),
                           dict(models=["shared:latest", "mistral:latest"], name="B")], **kw)


def test_tags_merge_every_server_with_the_servers_holding_each_model():
    with two_servers() as c:
        tags = c.wait_for(["llama3:latest", "shared:latest", "mistral:latest"])
        check(len(tags) == 3, tags)
        check(tags["llama3:latest"]["urls"] == [0], tags)
        check(tags["shared:latest"]["urls"] == [0, 1], tags)
        check(tags["mistral:latest"]["urls"] == [1], tags)
        check(tags["shared:latest"]["connection_type"] == "local", tags)
        one = c.tags("/ollama/api/tags/1")
        check(sorted(one) == ["mistral:latest", "shared:latest"], one)
        status, _, body = c.gw.get("/ollama/v1/models")
        ids = sorted(m["id"] for m in json.loads(body)["data"])
        check(status == 200 and ids == ["llama3:latest", "mistral:latest", "shared:latest"], body)
        check(all(m["owned_by"] == "openai" and m["object"] == "model"
                  for m in json.loads(body)["data"]), body)


def test_prefix_allow_list_and_tags_are_applied_per_server():
    configs = {"1": {"prefix_id": "b", "model_ids": ["mistral:latest"], "tags": [{"name": "gpu"}]}}
    with two_servers(configs=configs) as c:
        tags = c.wait_for(["b.mistral:latest", "shared:latest"])
        check("b.shared:latest" not in tags and "mistral:latest" not in tags, tags)
        check(tags["b.mistral:latest"]["tags"] == [{"name": "gpu"}], tags)
        check(tags["shared:latest"]["urls"] == [0], tags)  # B's copy is not allowed
        # The prefix is stripped as an exact prefix: B receives the name it knows.
        status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "b.mistral", "stream": False})
        check(status == 200, raw)
        check(c.fakes[1].stats()["last_model"] == "mistral:latest", c.fakes[1].stats())
        for bad in ["mistral", "b.llama3", "bb.mistral:latest", "b.b.mistral:latest"]:
            status, _, raw = post(c.gw, "/ollama/api/chat", {"model": bad, "stream": False})
            check(status == 404, (bad, status, raw))


def test_requests_go_only_to_servers_holding_the_model_spread_over_them():
    with two_servers(env={"LOAD_BALANCING_POLICY": "round_robin"}) as c:
        c.wait_for(["llama3:latest", "shared:latest"])
        for _ in range(4):
            status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "llama3", "stream": False})
            check(status == 200 and json.loads(raw)["message"]["content"].startswith("A:"), raw)
        check(c.fakes[0].stats()["last_model"] == "llama3:latest", "the implied :latest was not sent")
        check(c.fakes[1].stats()["chat_requests"] == 0, "a server without the model was asked")
        for _ in range(4):
            status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "shared:latest", "stream": False})
            check(status == 200, raw)
        a, b = c.fakes[0].stats()["chat_requests"], c.fakes[1].stats()["chat_requests"]
        check((a, b) == (6, 2), (a, b))


def test_every_inference_route_reaches_the_server_with_its_path():
    with two_servers() as c:
        c.wait_for(["mistral:latest"])
        cases = [
            ("/ollama/api/generate", {"model": "mistral", "prompt": "hi", "stream": False}, "/api/generate",
             lambda o: o["response"].startswith("B:")),
            ("/ollama/api/embed", {"model": "mistral", "input": "hi"}, "/api/embed",
             lambda o: o["embeddings"] == [[0.1, 0.2, 0.3]]),
            ("/ollama/api/embeddings", {"model": "mistral", "prompt": "hi"}, "/api/embeddings",
             lambda o: o["embedding"] == [0.1, 0.2, 0.3]),
            ("/ollama/api/show", {"model": "mistral"}, "/api/show",
             lambda o: o["modelfile"] == "FROM mistral:latest"),
            ("/ollama/api/show", {"name": "mistral:latest"}, "/api/show",
             lambda o: o["details"]["family"] == "B"),
            ("/ollama/v1/chat/completions", {"model": "mistral:latest", "messages": []},
             "/v1/chat/completions", lambda o: o["object"] == "chat.completion"),
            ("/ollama/v1/completions", {"model": "mistral:latest", "prompt": "x"}, "/v1/completions",
             lambda o: o["choices"][0]["text"] == "B:text"),
            ("/ollama/api/chat/1", {"model": "shared", "stream": False}, "/api/chat",
             lambda o: o["message"]["content"].startswith("B:")),
        ]
        for path, body, upstream_path, ok in cases:
            status, hdrs, raw = post(c.gw, path, body)
            check(status == 200, (path, status, raw))
            check(ok(json.loads(raw)), (path, raw))
            st = c.fakes[1].stats()
            check(st["last_path"] == upstream_path and st["last_method"] == "POST", (path, st))
        # The body reached the server as sent, the model name alone rewritten.
        post(c.gw, "/ollama/api/generate", {"model": "mistral", "prompt": "p", "options": {"seed": 7}, "stream": False})
        sent = json.loads(c.fakes[1].stats()["last_body"])
        check(sent == {"model": "mistral:latest", "prompt": "p", "options": {"seed": 7}, "stream": False}, sent)


def test_url_idx_is_checked_before_anything_is_forwarded():
    with two_servers() as c:
        c.wait_for(["llama3:latest", "mistral:latest"])
        before = [f.stats()["requests"] for f in c.fakes]
        for idx, why in [("5", "no Ollama connection 5"), ("-1", "url_idx must be"),
                         ("abc", "url_idx must be"), ("1x", "url_idx must be"), ("+1", "url_idx must be"),
                         ("99999999999999999999", "url_idx must be")]:
            status, _, raw = post(c.gw, f"/ollama/api/chat/{idx}", {"model": "llama3", "stream": False})
            err = json.loads(raw)
            check(status == 404 and isinstance(err["error"], str) and why in err["error"], (idx, raw))
            check(err["detail"] == err["error"], err)
        # An index that exists but does not hold the model is no way around the catalog.
        status, _, raw = post(c.gw, "/ollama/api/chat/1", {"model": "llama3", "stream": False})
        check(status == 404 and "not found on Ollama connection 1" in json.loads(raw)["error"], raw)
        status, _, raw = c.gw.get("/ollama/api/tags/7")
        check(status == 404, raw)
        after = [f.stats()["requests"] for f in c.fakes]
        # Only model-list refreshes reached the servers meanwhile, never a chat.
        check(all(f.stats()["chat_requests"] == 0 for f in c.fakes), after)


def test_ndjson_is_relayed_as_produced_and_a_leaving_client_cancels_it():
    with ollama_cluster([dict(models=["m+chunks:5+stall_after:1"], name="A")]) as c:
        c.wait_for(["m+chunks:5+stall_after:1"])
        conn = http.client.HTTPConnection("127.0.0.1", c.gw.port, timeout=10)
        conn.request("POST", "/ollama/api/chat", body=json.dumps({"model": "m+chunks:5+stall_after:1"}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        check(r.status == 200 and r.getheader("Content-Type") == "application/x-ndjson",
              r.getheaders())
        first = r.read1(65536)  # arrives while the upstream is stalled: nothing is held back
        line = json.loads(first.decode().splitlines()[0])
        check(line["message"]["content"] == "A:tok0 " and line["done"] is False, first)
        check(c.fakes[0].stats()["stalled"] == 1, c.fakes[0].stats())
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        deadline = time.time() + 5
        while c.fakes[0].stats()["disconnects"] < 1:
            check(time.time() < deadline, "the upstream request outlived its client")
            time.sleep(0.05)


def test_a_cut_ndjson_stream_ends_with_an_error_line():
    with ollama_cluster([dict(models=["m+reset_after:2"], name="A")]) as c:
        c.wait_for(["m+reset_after:2"])
        status, hdrs, reads = stream_chunks(c.gw.port, "/ollama/api/generate", {"model": "m+reset_after:2"})
        lines = ndjson(b"".join(reads))
        check(status == 200 and len(lines) == 3, lines)
        check([l["response"] for l in lines[:2]] == ["A:tok0 ", "A:tok1 "], lines)
        check(isinstance(lines[2]["error"], str) and "connection" in lines[2]["error"], lines)


def test_pull_streams_progress_and_the_new_model_is_listed():
    with two_servers() as c:
        c.wait_for(["mistral:latest"])
        status, hdrs, reads = stream_chunks(c.gw.port, "/ollama/api/pull/1", {"model": "fresh:7b"})
        lines = ndjson(b"".join(reads))
        check(status == 200 and hdrs["content-type"] == "application/x-ndjson", hdrs)
        check(lines[0] == {"status": "pulling manifest"} and lines[-1] == {"status": "success"}, lines)
        tags = c.wait_for(["fresh:7b"], timeout=5)
        check(tags["fresh:7b"]["urls"] == [1], tags)
        # Not streamed when asked so; create goes to the first server by default.
        status, _, raw = post(c.gw, "/ollama/api/create", {"model": "made:latest", "from": "llama3", "stream": False})
        check(status == 200 and json.loads(raw) == {"status": "success"}, raw)
        check(c.wait_for(["made:latest"], timeout=5)["made:latest"]["urls"] == [0], "create went elsewhere")
        status, _, raw = post(c.gw, "/ollama/api/push", {"model": "mistral", "stream": False})
        check(status == 200 and c.fakes[1].stats()["last_path"] == "/api/push", raw)
        status, _, raw = post(c.gw, "/ollama/api/push", {"model": "mistral", "stream": False}, method="DELETE")
        check(status == 200, raw)


def test_a_model_list_is_current_when_a_management_call_answers():
    # No periodic refresh to hide behind: what the answers wait for is the refresh they asked.
    with two_servers(env={"MODELS_REFRESH_INTERVAL": "60"}) as c:
        c.wait_for(["mistral:latest"])
        for i in range(10):
            stream = i % 2 == 0
            name = f"pulled{i}:latest"
            status, _, raw = post(c.gw, "/ollama/api/pull/1", {"model": name, "stream": stream})
            check(status == 200 and b"success" in raw, raw)
            status, _, raw = post(c.gw, "/ollama/api/chat", {"model": name, "stream": False})
            check(status == 200, (i, "a chat right after the pull", status, raw))
            copy = f"copied{i}:latest"
            status, _, raw = post(c.gw, "/ollama/api/copy", {"source": name, "destination": copy})
            check(status == 200, raw)
            check(copy in c.tags(), (i, "not listed when copy answered"))
            status, _, raw = post(c.gw, "/ollama/api/delete", {"model": copy}, method="DELETE")
            check(status == 200, raw)
            check(copy not in c.tags(), (i, "still listed when delete answered"))


def test_copy_delete_and_unload():
    with two_servers() as c:
        c.wait_for(["shared:latest"])
        status, _, raw = post(c.gw, "/ollama/api/copy", {"source": "llama3", "destination": "llama3-copy:latest"})
        check(status == 200 and raw == b"true", raw)
        check(json.loads(c.fakes[0].stats()["last_body"]) ==
              {"source": "llama3:latest", "destination": "llama3-copy:latest"}, c.fakes[0].stats())
        c.wait_for(["llama3-copy:latest"], timeout=5)
        status, _, raw = post(c.gw, "/ollama/api/delete", {"model": "llama3-copy:latest"}, method="DELETE")
        check(status == 200 and raw == b"true", raw)
        check(c.fakes[0].stats()["last_method"] == "DELETE", c.fakes[0].stats())
        c.wait_gone("llama3-copy:latest", timeout=5)
        status, _, raw = post(c.gw, "/ollama/api/delete", {"name": "ghost"}, method="DELETE")
        check(status == 404 and "ghost" in json.loads(raw)["error"], raw)
        # Unload reaches every server holding the model.
        status, _, raw = post(c.gw, "/ollama/api/unload", {"model": "shared"})
        check(status == 200 and json.loads(raw) == {"status": True}, raw)
        for f in c.fakes:
            st = f.stats()
            check(st["last_path"] == "/api/generate" and
                  json.loads(st["last_body"]) == {"model": "shared:latest", "keep_alive": 0}, st)
        status, _, raw = post(c.gw, "/ollama/api/unload", {})
        check(status == 400 and "Missing name" in json.loads(raw)["error"], raw)


def test_ps_is_merged_and_version_is_the_lowest():
    servers = [dict(models=["shared:latest"], name="A", extra=("--version", "0.6.2")),
               dict(models=["shared:latest"], name="B", extra=("--version", "0.5.13")),
               dict(models=["solo:latest"], name="C", extra=("--version", "0.12.1"))]
    with ollama_cluster(servers, configs={"2": {"prefix_id": "c"}}) as c:
        c.wait_for(["shared:latest", "c.solo:latest"])
        status, _, raw = c.gw.get("/ollama/api/ps")
        models = {m["model"]: m for m in json.loads(raw)["models"]}
        check(status == 200 and set(models) == {"shared:latest", "c.solo:latest"}, raw)
        check(models["shared:latest"]["urls"] == [0, 1] and models["c.solo:latest"]["urls"] == [2], raw)
        check(models["shared:latest"]["expires_at"].startswith("2024-06-04T"), raw)
        status, _, raw = c.gw.get("/ollama/api/version")
        check(status == 200 and json.loads(raw) == {"version": "0.5.13"}, raw)
        status, _, raw = c.gw.get("/ollama/api/version/2")
        check(status == 200 and json.loads(raw) == {"version": "0.12.1"}, raw)
        # The route needs no sign-in and asks every server: a flood of it is not passed on.
        asked = [f.stats()["version_requests"] for f in c.fakes]
        start = time.time()
        for _ in range(60):
            check(json.loads(c.gw.get("/ollama/api/version")[2]) == {"version": "0.5.13"}, "changed")
        seconds = time.time() - start
        for f, before in zip(c.fakes, asked):
            extra = f.stats()["version_requests"] - before
            check(extra <= 2 * (seconds + 1), (extra, seconds))
    with ollama_cluster([dict(models=["x"], name="A")], env={"ENABLE_OLLAMA_API": "False"}) as c:
        status, _, raw = c.gw.get("/ollama/api/version")
        check(status == 200 and json.loads(raw) == {"version": False}, raw)


def test_errors_are_shaped_for_ollama_clients():
    dead_port = harness.refused_port()  # connections there are refused
    with ollama_cluster([dict(models=["m+error:500", "ok:latest", "busy+error:503"], name="A")]) as c:
        c.wait_for(["ok:latest"])
        # An Ollama server's 503 (busy loading a model) reaches the client as 503, on its own
        # routes and on its OpenAI-compatible ones (whose errors are OpenAI-shaped).
        for path in ["/ollama/api/chat", "/ollama/v1/chat/completions"]:
            status, _, raw = post(c.gw, path, {"model": "busy+error:503", "stream": False})
            check(status == 503 and "fake upstream error" in raw.decode(), (path, status, raw))
        status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "nope"})
        err = json.loads(raw)
        check(status == 404 and err["error"] == "model 'nope' not found" and err["detail"] == err["error"], raw)
        # An Ollama error keeps its status and text.
        status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "m+error:500", "stream": False})
        check(status == 500 and json.loads(raw)["error"] == "fake upstream error", raw)
        status, _, raw = post(c.gw, "/ollama/api/chat", "not json")
        check(status == 400 and isinstance(json.loads(raw)["error"], str), raw)
        status, hdrs, raw = c.gw.get("/ollama/api/chat")
        check(status == 405 and hdrs.get("allow") == "POST" and isinstance(json.loads(raw)["error"], str), (hdrs, raw))
        status, _, raw = c.gw.get("/ollama/api/nothing")
        check(status == 404 and isinstance(json.loads(raw)["error"], str), raw)
        # Show of a model the server does not have: Ollama's own 404 passes through.
        c.fakes[0].stop()
        status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "ok", "stream": False})
        err = json.loads(raw)
        check(status == 502 and isinstance(err["error"], str) and "ollama connection 0" in err["error"], raw)


def test_management_routes_are_refused_before_anything_is_forwarded():
    with two_servers() as c:
        c.wait_for(["shared:latest"])
        routes = [("POST", "/ollama/api/pull", {"model": "x"}), ("POST", "/ollama/api/push", {"model": "shared"}),
                  ("POST", "/ollama/api/create", {"model": "x"}), ("POST", "/ollama/api/copy", {"source": "shared", "destination": "y"}),
                  ("DELETE", "/ollama/api/delete", {"model": "shared"}), ("POST", "/ollama/api/unload", {"model": "shared"}),
                  ("POST", "/ollama/api/pull/1", {"model": "x"})]
        before = [f.stats()["last_path"] for f in c.fakes]
        for method, path, body in routes:
            # A page on another site driving the admin's browser: refused, never forwarded.
            status, _, raw = post(c.gw, path, body, method=method, headers={"Origin": "https://evil.example"})
            check(status == 403 and isinstance(json.loads(raw)["error"], str), (path, status, raw))
            status, _, raw = request(c.gw.port, method, path, json.dumps(body), headers={"Content-Type": "text/plain"})
            check(status == 415, (path, status, raw))
        after = [f.stats()["last_path"] for f in c.fakes]
        check(all(p == "" for p in after), after)
    # With sign-in required and no credentials, nothing at all is forwarded.
    with two_servers(env={"WEBUI_AUTH": "True"}) as c:
        time.sleep(0.2)
        for method, path, body in [("POST", "/ollama/api/pull", {"model": "x"}), ("POST", "/ollama/api/chat", {"model": "shared"}),
                                   ("GET", "/ollama/api/ps", None), ("GET", "/ollama/api/tags", None)]:
            status, _, raw = request(c.gw.port, method, path, json.dumps(body) if body else None)
            check(status == 401, (path, status, raw))
        check(all(f.stats()["chat_requests"] == 0 and f.stats()["last_path"] == "" for f in c.fakes),
              [f.stats() for f in c.fakes])


def metric_sum(gw, name, **labels):
    """Sum of every series of `name` whose labels include `labels` (e.g. host="127.0.0.1:1234")."""
    total = 0.0
    want = [f'{k}="{v}"' for k, v in labels.items()]
    for line in gw.get("/metrics")[2].decode().splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            head = line.rsplit(" ", 1)[0]
            if all(w in head for w in want):
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_a_delete_that_times_out_is_not_sent_twice():
    # One I/O thread and no periodic refresh: the delete can only go out on the connection the
    # start-up list fetch left in the pool, and nothing else uses the pool meanwhile.
    with ollama_cluster([dict(models=["m+slow_ttft:2500", "ok:latest"], name="A")],
                        env={"THREADS": "1", "AIOHTTP_CLIENT_TIMEOUT": "1",
                             "MODELS_REFRESH_INTERVAL": "60"}) as c:
        c.wait_for(["m+slow_ttft:2500"])
        fake = c.fakes[0]
        host = f"127.0.0.1:{fake.port}"
        m = lambda name: metric_sum(c.gw, name, host=host)
        deadline = time.time() + 5
        while m("switchboard_upstream_pool_idle") < 1 or m("switchboard_upstream_pool_in_use") > 0:
            check(time.time() < deadline, "no keep-alive connection ever waited in the pool")
            time.sleep(0.02)
        reused, connects = m("switchboard_upstream_reused_total"), m("switchboard_upstream_connects_total")
        disconnects = fake.stats()["disconnects"]
        status, _, raw = post(c.gw, "/ollama/api/delete", {"model": "m+slow_ttft:2500"}, method="DELETE")
        check(status == 504 and isinstance(json.loads(raw)["error"], str), (status, raw))
        # The delete went out on the pooled connection, and no other connection was opened.
        check(m("switchboard_upstream_reused_total") == reused + 1,
              "the delete did not go out on a pooled connection: the test proves nothing")
        # The gateway closes the timed-out connection in the same step in which it decides
        # whether to retry: once the fake has seen that close, the decision has been made, and a
        # retry would have been counted and its request already written.
        deadline = time.time() + 5
        while fake.stats()["disconnects"] == disconnects:
            check(time.time() < deadline, "the timed-out delete's connection was never closed")
            time.sleep(0.02)
        check(m("switchboard_upstream_stale_retries_total") == 0, "the timed-out delete was retried")
        check(m("switchboard_upstream_connects_total") == connects, "a fresh connection was opened")
        check(fake.stats()["delete_requests"] == 1, fake.stats())
        # A later request on the same thread and server is answered; still one delete.
        status, _, raw = post(c.gw, "/ollama/api/chat", {"model": "ok:latest", "stream": False})
        check(status == 200, (status, raw))
        check(fake.stats()["delete_requests"] == 1 and m("switchboard_upstream_stale_retries_total") == 0,
              fake.stats())


def test_inference_from_a_foreign_web_page_is_refused():
    # In single-user mode every caller is the admin: a page on another site must not be able to
    # have the admin's browser use the stored keys, even with a "simple" text/plain POST.
    with two_servers() as c:
        c.wait_for(["llama3:latest"])
        for path in ["/ollama/api/generate", "/ollama/api/chat", "/ollama/v1/chat/completions"]:
            status, _, raw = request(c.gw.port, "POST", path, json.dumps({"model": "llama3", "keep_alive": 0}),
                                     headers={"Content-Type": "text/plain", "Origin": "https://evil.example",
                                              "Sec-Fetch-Site": "cross-site"})
            check(status == 403, (path, status, raw))
        check(all(f.stats()["chat_requests"] == 0 and f.stats()["last_path"] == "" for f in c.fakes),
              [f.stats() for f in c.fakes])
        # A client that is no browser passes whatever its Content-Type (curl -d sends a form type).
        status, _, raw = request(c.gw.port, "POST", "/ollama/api/generate",
                                 json.dumps({"model": "llama3", "stream": False}),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
        check(status == 200, raw)


def test_config_is_read_and_written_like_the_openai_side():
    a = FakeUpstream(models=["one:latest"], name="A", key="ol-secret-key-0000")
    b = FakeUpstream(models=["two:latest"], name="B")
    gw = Gateway({"ENABLE_OLLAMA_API": "True", "ENABLE_OPENAI_API": "False",
                  "OLLAMA_BASE_URLS": a.base,
                  "OLLAMA_API_CONFIGS": json.dumps({"0": {"key": "ol-secret-key-0000"}})})
    try:
        deadline = time.time() + 10
        while "one:latest" not in gw.get("/ollama/api/tags")[2].decode():
            check(time.time() < deadline, "the keyed server was never listed")
            time.sleep(0.05)
        # (A refuses requests without its key: that it listed at all shows the key was sent.)
        status, _, raw = gw.get("/ollama/config")
        cfg = json.loads(raw)
        check(status == 200 and set(cfg) == {"ENABLE_OLLAMA_API", "OLLAMA_BASE_URLS", "OLLAMA_API_CONFIGS"}, cfg)
        check("ol-secret-key-0000" not in raw.decode(), "the key was shown in clear")
        # The form comes back with the mask and a second server: the key stays, B is added.
        cfg["OLLAMA_BASE_URLS"].append(b.base)
        status, _, raw = gw.post("/ollama/config/update", cfg)
        check(status == 200 and "ol-secret-key-0000" not in raw.decode(), raw)
        deadline = time.time() + 10
        while "two:latest" not in gw.get("/ollama/api/tags")[2].decode():
            check(time.time() < deadline, "the added server was never listed")
            time.sleep(0.05)
        status, _, raw = gw.post("/ollama/api/chat", {"model": "one", "stream": False})
        check(status == 200 and a.stats()["last_auth"] == "Bearer ol-secret-key-0000", a.stats())
        # A masked key sent for a different URL is refused, not carried there.
        moved = json.loads(gw.get("/ollama/config")[2])
        moved["OLLAMA_BASE_URLS"][0] = b.base + "/"
        status, _, raw = gw.post("/ollama/config/update", moved)
        check(status == 400 and "key" in json.loads(raw)["error"], raw)
        # Verify asks a server for its version without storing anything.
        status, _, raw = gw.post("/ollama/verify", {"url": b.base})
        check(status == 200 and json.loads(raw) == {"version": "0.5.7"}, raw)
        status, _, raw = gw.post("/ollama/verify", {"url": a.base, "key": "wrong"})
        check(status == 401 and isinstance(json.loads(raw)["error"], str), raw)
        check("wrong" not in raw.decode(), raw)
        status, _, raw = gw.post("/ollama/verify", {"url": "http://169.254.169.254"})
        check(status == 400, raw)
        # The key as the admin UI shows it (masked) verifies the connection stored at that URL...
        masked = json.loads(gw.get("/ollama/config")[2])["OLLAMA_API_CONFIGS"]["0"]["key"]
        status, _, raw = gw.post("/ollama/verify", {"url": a.base, "key": masked})
        check(status == 200 and json.loads(raw) == {"version": "0.5.7"}, raw)
        # ...and is never sent to another host.
        status, _, raw = gw.post("/ollama/verify", {"url": b.base, "key": masked})
        check(status == 400 and "mask" in json.loads(raw)["error"], raw)
        check(json.loads(gw.get("/ollama/config")[2])["OLLAMA_BASE_URLS"] == [a.base, b.base], "verify stored something")
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


if __name__ == "__main__":
    run_tests([test_tags_merge_every_server_with_the_servers_holding_each_model,
               test_a_model_list_is_current_when_a_management_call_answers,
               test_prefix_allow_list_and_tags_are_applied_per_server,
               test_requests_go_only_to_servers_holding_the_model_spread_over_them,
               test_every_inference_route_reaches_the_server_with_its_path,
               test_url_idx_is_checked_before_anything_is_forwarded,
               test_ndjson_is_relayed_as_produced_and_a_leaving_client_cancels_it,
               test_a_cut_ndjson_stream_ends_with_an_error_line,
               test_pull_streams_progress_and_the_new_model_is_listed,
               test_copy_delete_and_unload,
               test_ps_is_merged_and_version_is_the_lowest,
               test_errors_are_shaped_for_ollama_clients,
               test_management_routes_are_refused_before_anything_is_forwarded,
               test_a_delete_that_times_out_is_not_sent_twice,
               test_inference_from_a_foreign_web_page_is_refused,
               test_config_is_read_and_written_like_the_openai_side])
