"""Every OpenAI endpoint besides chat, routed by model over the same catalog: embeddings, legacy
completions, the Responses API (streamed and not) and speech, across two connections with
prefixes; one connection's list; api.openai.com's non-chat models unlisted but routable; auth
types (and the ones refused); verify."""
import json

from harness import request, FakeUpstream, Gateway, check, cluster, run_tests, sse_events, stream_chunks

TWO = [dict(models=["emb-a", "shared"], name="A"), dict(models=["emb-b", "shared"], name="B")]
PREFIXED = {"OPENAI_API_CONFIGS": json.dumps({"0": {"prefix_id": "a"}, "1": {"prefix_id": "b"}})}


def test_embeddings_completions_and_speech_are_routed_by_model():
    with cluster(TWO, env=PREFIXED) as c:
        c.gw.wait_for_models(["a.emb-a", "b.emb-b", "a.shared", "b.shared"])
        status, _, raw = c.gw.post("/openai/embeddings", {"model": "b.emb-b", "input": "hi"})
        out = json.loads(raw)
        check(status == 200 and out["data"][0]["embedding"] == [0.1, 0.2, 0.3], raw)
        st = c.fakes[1].stats()
        check(st["last_path"] == "/v1/embeddings" and json.loads(st["last_body"]) == {"model": "emb-b", "input": "hi"}, st)
        check(c.fakes[0].stats()["last_path"] == "", "the other connection was asked")
        status, _, raw = c.gw.post("/openai/completions", {"model": "a.shared", "prompt": "x"})
        check(status == 200 and json.loads(raw)["choices"][0]["text"] == "A:text", raw)
        check(c.fakes[0].stats()["last_path"] == "/v1/completions", c.fakes[0].stats())
        status, hdrs, raw = c.gw.post("/openai/audio/speech", {"model": "b.shared", "input": "hi", "voice": "alloy"})
        check(status == 200 and hdrs["content-type"] == "audio/mpeg" and raw == b"ID3B:audio", (hdrs, raw))
        for path in ["/openai/embeddings", "/openai/completions", "/openai/responses", "/openai/audio/speech"]:
            status, _, raw = c.gw.post(path, {"model": "emb-a", "input": "x"})  # unprefixed: unknown
            check(status == 404 and json.loads(raw)["detail"] == "Model not found", (path, raw))


def test_the_responses_api_streamed_and_not():
    with cluster(TWO, env=PREFIXED) as c:
        c.gw.wait_for_models(["b.shared"])
        status, _, raw = c.gw.post("/openai/responses", {"model": "b.shared", "input": "hi"})
        out = json.loads(raw)
        check(status == 200 and out["output"][0]["content"][0]["text"] == "B:response", raw)
        check(c.fakes[1].stats()["last_path"] == "/v1/responses", c.fakes[1].stats())
        status, hdrs, reads = stream_chunks(c.gw.port, "/openai/responses",
                                            {"model": "a.shared", "input": "hi", "stream": True})
        events = sse_events(b"".join(reads))
        check(status == 200 and hdrs["content-type"] == "text/event-stream", hdrs)
        check(events[0].startswith("event: response.created") and events[-1].startswith("event: response.completed"), events)
        deltas = [json.loads(e.split("data: ", 1)[1])["delta"] for e in events if "output_text.delta" in e]
        check(deltas == ["A:d0 ", "A:d1 ", "A:d2 "], events)
    # Cut mid-way: the stream ends with the Responses API's own error event, not a chat one (the
    # AI SDK rejects `data: {"error": ...}` there).
    with cluster([dict(models=["r+reset_after:2"], name="R")]) as c:
        c.gw.wait_for_models(["r+reset_after:2"])
        status, hdrs, reads = stream_chunks(c.gw.port, "/openai/responses",
                                            {"model": "r+reset_after:2", "input": "hi", "stream": True})
        events = sse_events(b"".join(reads))
        check(status == 200 and len(events) == 3, events)
        name, data = events[-1].split("\n", 1)
        err = json.loads(data.split("data: ", 1)[1])
        check(name == "event: error" and err["type"] == "error" and err["sequence_number"] == 2 and
              err["code"] == "upstream_error" and err["param"] is None, events[-1])
        check(set(err) == {"type", "code", "message", "param", "sequence_number", "error"}, err)
        check(err["error"]["message"] == err["message"], err)


def test_one_connections_list_and_unlisted_official_models():
    # A URL naming api.openai.com gets Open WebUI's rule: non-chat models are not listed. They
    # are still what embeddings and speech are routed to.
    a = FakeUpstream(models=["gpt-x", "text-embedding-3-small", "tts-1"], name="A")
    b = FakeUpstream(models=["other"], name="B")
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{a.base}/api.openai.com/v1;{b.url}"})
    try:
        gw.wait_for_models(["gpt-x", "other"])
        listed = [m["id"] for m in json.loads(gw.get("/openai/models")[2])["data"]]
        check(listed == ["gpt-x", "other"], listed)
        one = json.loads(gw.get("/openai/models/1")[2])["data"]
        check([m["id"] for m in one] == ["other"] and one[0]["urlIdx"] == 1, one)
        status, _, raw = gw.get("/openai/models/2")
        check(status == 404 and "no OpenAI connection 2" in json.loads(raw)["detail"], raw)
        status, _, raw = gw.post("/openai/embeddings", {"model": "text-embedding-3-small", "input": "x"})
        check(status == 200 and a.stats()["last_path"] == "/api.openai.com/v1/embeddings", (raw, a.stats()))
        status, hdrs, raw = gw.post("/openai/audio/speech", {"model": "tts-1", "input": "x", "voice": "alloy"})
        check(status == 200 and raw == b"ID3A:audio", raw)
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()




def test_auth_types_send_what_they_say():
    a = FakeUpstream(models=["m-a"], name="A", key="sk-aaaa-0000")
    b = FakeUpstream(models=["m-b"], name="B")
    c = FakeUpstream(models=["m-c"], name="C")
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{a.url};{b.url};{c.url}",
                  "OPENAI_API_KEYS": "sk-aaaa-0000;sk-bbbb-1111;sk-cccc-2222",
                  "OPENAI_API_CONFIGS": json.dumps({"1": {"auth_type": "none"}, "2": {"auth_type": "session"}})})
    try:
        gw.wait_for_models(["m-a", "m-b", "m-c"])
        caller = {"Authorization": "Bearer caller-token-42"}
        for model, fake, expected in [("m-a", a, "Bearer sk-aaaa-0000"), ("m-b", b, ""),
                                      ("m-c", c, "Bearer caller-token-42")]:
            status, _, raw = gw.post("/openai/chat/completions", {"model": model, "messages": []}, headers=caller)
            check(status == 200, raw)
            check(fake.stats()["last_auth"] == expected, (model, fake.stats()))
    finally:
        check(gw.stop() == 0, gw.output())
        for f in (a, b, c):
            f.stop()


def test_auth_types_that_cannot_be_honoured_are_refused():
    ok = FakeUpstream(models=["fine"], name="A")
    other = FakeUpstream(models=["never-listed"], name="B")
    # Seeded from the environment: the connection is not run (it would send no credentials).
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{ok.url};{other.url}",
                  "OPENAI_API_CONFIGS": json.dumps({"1": {"auth_type": "system_oauth"}})})
    try:
        gw.wait_for_models(["fine"])
        gw.wait_for_line(r"connection 1 ignored: auth_type \"system_oauth\"")
        check("never-listed" not in gw.get("/openai/models")[2].decode(), "a refused connection was run")
        form = json.loads(gw.get("/openai/config")[2])
        for bad in ["system_oauth", "azure_ad", "microsoft_entra_id", "kerberos"]:
            form["OPENAI_API_CONFIGS"] = {"0": {"auth_type": bad}}
            status, _, raw = gw.post("/openai/config/update", form)
            err = json.loads(raw)["detail"]
            check(status == 400 and "auth_type" in err, (bad, raw))
            check(bad == "kerberos" or "does not have" in err, err)
        form["OPENAI_API_CONFIGS"] = {"0": {"auth_type": "session"}}
        status, _, raw = gw.post("/openai/config/update", form)
        check(status == 200, raw)
    finally:
        check(gw.stop() == 0, gw.output())
        ok.stop()
        other.stop()


def test_verify_tries_a_connection_without_storing_it():
    a = FakeUpstream(models=["listed-a"], name="A", key="sk-verify-7777")
    gw = Gateway({"OPENAI_API_BASE_URLS": a.url, "OPENAI_API_KEYS": "sk-verify-7777"})
    try:
        gw.wait_for_models(["listed-a"])
        status, _, raw = gw.post("/openai/verify", {"url": a.url, "key": "sk-verify-7777"})
        check(status == 200 and json.loads(raw)["data"][0]["id"] == "listed-a", raw)
        status, _, raw = gw.post("/openai/verify", {"url": a.url, "key": "sk-wrong-0000"})
        err = json.loads(raw)
        check(status == 401 and "sk-wrong" not in raw.decode(), raw)
        # The key as the admin UI shows it verifies the stored connection at that URL.
        masked = json.loads(gw.get("/openai/config")[2])["OPENAI_API_KEYS"][0]
        status, _, raw = gw.post("/openai/verify", {"url": a.url, "key": masked})
        check(status == 200, raw)
        status, _, raw = gw.post("/openai/verify", {"url": a.url, "key": "x", "config": {"auth_type": "azure_ad"}})
        check(status == 400 and "azure_ad" in json.loads(raw)["detail"], raw)
        status, _, raw = gw.post("/openai/verify", {"url": "http://169.254.169.254/v1"})
        check(status == 400, raw)
        status, _, raw = gw.post("/openai/verify", {"key": "x"})
        check(status == 400, raw)
        check(json.loads(gw.get("/openai/config")[2])["OPENAI_API_BASE_URLS"] == [a.url], "verify stored something")
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()


def test_a_url_whose_host_parsers_disagree_on_is_refused():
    a = FakeUpstream(models=["listed-a"], name="A", key="sk-confused-1234")
    gw = Gateway({"OPENAI_API_BASE_URLS": a.url, "OPENAI_API_KEYS": "sk-confused-1234"})
    try:
        gw.wait_for_models(["listed-a"])
        # Boost.URL 1.81 alone reads the host of this as 127.0.0.1 (port 80): the key would go there.
        confused = f"http://127.0.0.1.example.com:{a.port}/v1"
        status, _, raw = gw.post("/openai/verify", {"url": confused, "key": "sk-confused-1234"})
        check(status == 400 and "'/'" in json.loads(raw)["detail"], (status, raw))
        form = json.loads(gw.get("/openai/config")[2])
        for bad in [confused, f"http://a@b@127.0.0.1:{a.port}/v1", f"http://127.0.0.1:{a.port}:1/v1",
                    "http://127.0.0.1:99999/v1"]:
            form["OPENAI_API_BASE_URLS"] = [bad]
            status, _, raw = gw.post("/openai/config/update", form)
            check(status == 400, (bad, status, raw))
        check(json.loads(gw.get("/openai/config")[2])["OPENAI_API_BASE_URLS"] == [a.url], "a bad URL was stored")
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()


def test_passthrough_exists_only_when_enabled():
    a = FakeUpstream(models=["m-a"], name="A", key="sk-pass-5555")
    env = {"OPENAI_API_BASE_URLS": a.url, "OPENAI_API_KEYS": "sk-pass-5555"}
    gw = Gateway(dict(env, ENABLE_OPENAI_API_PASSTHROUGH="True"))
    try:
        gw.wait_for_models(["m-a"])
        status, _, raw = gw.get("/openai/files?purpose=batch&limit=2")
        out = json.loads(raw)
        check(status == 200 and out["query"] == "purpose=batch&limit=2", raw)
        check(out["auth"] == "Bearer sk-pass-5555", "connection 0's key was not used")
        status, _, raw = gw.post("/openai/moderations", {"input": "x"})
        check(status == 404 and a.stats()["last_path"] == "/v1/moderations", (raw, a.stats()))
        check(a.stats()["last_method"] == "POST" and json.loads(a.stats()["last_body"]) == {"input": "x"}, a.stats())
        # The routes of the table still come first.
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m-a", "messages": []})
        check(status == 200, raw)
        status, hdrs, raw = gw.get("/openai/chat/completions")
        check(status == 405 or status == 404, (status, raw))
        # A path never climbs out of the connection's base path, however its dots are spelled.
        for bad in ["/openai/../../../etc/passwd", "/openai/files/%2e%2e/%2E%2e/%2e%2e/admin",
                    "/openai/files/..%2f..%2fadmin", "/openai/a/.%2e/.%2E/b"]:
            status, _, raw = request(gw.port, "PUT", bad, "{}")
            check(status == 400 and "path" in json.loads(raw)["detail"], (bad, status, raw))
            check(a.stats()["last_method"] != "PUT", ("a climbing path reached the upstream", a.stats()))
        gw.get("/openai/files/./x/../y?limit=1")
        check(a.stats()["last_target"] == "/v1/files/y?limit=1", a.stats())
    finally:
        check(gw.stop() == 0, gw.output())
    gw = Gateway(env)
    try:
        gw.wait_for_models(["m-a"])
        status, _, raw = gw.get("/openai/files")
        check(status == 404 and json.loads(raw)["detail"] == "Not Found", raw)
        status, _, raw = gw.post("/openai/moderations", {"input": "y"})
        check(status == 404 and json.loads(a.stats()["last_body"]) != {"input": "y"}, "forwarded while off")
        status, hdrs, raw = gw.get("/openai/chat/completions")
        check(status == 405 and hdrs["allow"] == "POST", (status, hdrs))
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()



def test_reasoning_model_bodies_change_only_where_they_must():
    a = FakeUpstream(models=["o3-mini", "gpt-4o"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": a.url, "OPENAI_API_CONFIGS": json.dumps({"0": {"prefix_id": "p"}})})
    try:
        gw.wait_for_models(["p.o3-mini", "p.gpt-4o"])
        sent = ('{ "model": "p.o3-mini", "messages": [ {"role": "system", "content": "sois br\\u00e8ve"},'
                ' {"role": "user", "content": "hi"} ],\n "max_tokens": 64, "temperature": 1.0, "x": [1, {"y": null}] }')
        status, _, raw = gw.post("/openai/chat/completions", sent)
        check(status == 200, raw)
        want = sent.replace('"p.o3-mini"', '"o3-mini"').replace('"role": "system"', '"role": "developer"') \
                   .replace('"max_tokens"', '"max_completion_tokens"')
        check(a.stats()["last_body"] == want, (a.stats()["last_body"], want))
        # Another model off api.openai.com: max_completion_tokens is what it does not know.
        sent = '{"model":"p.gpt-4o","messages":[{"role":"system","content":"x"}],"max_completion_tokens":9}'
        status, _, raw = gw.post("/openai/chat/completions", sent)
        check(status == 200, raw)
        check(a.stats()["last_body"] ==
              '{"model":"gpt-4o","messages":[{"role":"system","content":"x"}],"max_tokens":9}', a.stats())
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()

def test_azure_connections_get_deployment_paths_and_azure_bodies():
    a = FakeUpstream(models=["unused"], name="AZ")
    configs = {"0": {"azure": True, "api_version": "2024-10-21", "model_ids": ["gpt-4o-dep", "emb-dep", "o3-mini"],
                     "prefix_id": "az"},
               "1": {"azure": True, "api_version": "2024-02-01", "model_ids": ["old-dep"]}}
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{a.base};{a.base}/",
                  "OPENAI_API_KEYS": "azure-key-1234;azure-key-5678",
                  "OPENAI_API_CONFIGS": json.dumps(configs)})
    try:
        # The list is the connections' model_ids: Azure is never asked for one.
        listed = gw.wait_for_models(["az.gpt-4o-dep", "az.emb-dep", "old-dep"])
        check("unused" not in listed, listed)
        sent = {"model": "az.gpt-4o-dep", "messages": [{"role": "user", "content": "hi"}],
                "temperature": 0.5, "metadata": {"chat": 1}, "stream_options": {"include_usage": True},
                "max_tokens": 9}
        status, _, raw = gw.post("/openai/chat/completions", sent)
        check(status == 200 and json.loads(raw)["object"] == "chat.completion", raw)
        st = a.stats()
        check(st["last_target"] == "/openai/deployments/gpt-4o-dep/chat/completions?api-version=2024-10-21", st)
        check(st["last_api_key"] == "azure-key-1234" and st["last_auth"] == "", st)
        check(json.loads(st["last_body"]) == {"messages": [{"role": "user", "content": "hi"}], "temperature": 0.5,
                                              "stream_options": {"include_usage": True}, "max_tokens": 9}, st)
        # Before api-version 2024-09-01-preview Azure takes no stream_options.
        status, _, raw = gw.post("/openai/chat/completions", dict(sent, model="old-dep"))
        st = a.stats()
        check(status == 200 and st["last_target"].endswith("/old-dep/chat/completions?api-version=2024-02-01"), st)
        check("stream_options" not in json.loads(st["last_body"]) and st["last_api_key"] == "azure-key-5678", st)
        # Streams relay as from any OpenAI-compatible server.
        status, _, reads = stream_chunks(gw.port, "/openai/chat/completions",
                                         dict(sent, stream=True))
        check(status == 200 and b"data: [DONE]" in b"".join(reads), reads)
        # A reasoning model on Azure: max_completion_tokens, a developer message, and no temperature
        # but 1.
        sent_raw = ('{"model": "az.o3-mini", "temperature": 0.3, "messages": [{"role": "system", "content": "s"}],'
                    ' "max_tokens": 7}')
        status, _, raw = gw.post("/openai/chat/completions", sent_raw)
        st = a.stats()
        check(status == 200 and st["last_target"].startswith("/openai/deployments/o3-mini/chat/completions?"), st)
        check(json.loads(st["last_body"]) == {"messages": [{"role": "developer", "content": "s"}],
                                              "max_completion_tokens": 7}, st)
        status, _, raw = gw.post("/openai/chat/completions", sent_raw.replace("0.3", "1"))
        check(json.loads(a.stats()["last_body"])["temperature"] == 1, a.stats())
        # Other endpoints: the model moves to the path, the body is otherwise left alone.
        status, _, raw = gw.post("/openai/embeddings", {"model": "az.emb-dep", "input": "x", "dimensions": 3})
        st = a.stats()
        check(status == 200 and st["last_target"] == "/openai/deployments/emb-dep/embeddings?api-version=2024-10-21", st)
        check(json.loads(st["last_body"]) == {"input": "x", "dimensions": 3}, st)
        # Verify asks an Azure resource for its models the Azure way.
        v = FakeUpstream(models=["dep-list"], name="V")
        try:
            status, _, raw = gw.post("/openai/verify", {"url": v.base, "key": "azure-verify-key",
                                                        "config": {"azure": True, "api_version": "2024-10-21"}})
            st = v.stats()
            check(status == 200 and json.loads(raw)["data"][0]["id"] == "dep-list", raw)
            check(st["last_target"] == "/openai/models?api-version=2024-10-21" and
                  st["last_api_key"] == "azure-verify-key", st)
        finally:
            v.stop()
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()


def test_connection_headers_say_who_the_request_is_for():
    a = FakeUpstream(models=["m-a"], name="A")
    b = FakeUpstream(models=["m-b"], name="B")
    o = FakeUpstream(models=["llama3:latest"], name="O")
    templated = {"X-User": "{{USER_ID}}", "X-Who": "{{USER_NAME}} <{{USER_EMAIL}}> {{USER_ROLE}}",
                 "X-Chat": "chat={{CHAT_ID}};msg={{MESSAGE_ID}}", "X-Static": "plain {{UNKNOWN}}"}
    env = {"OPENAI_API_BASE_URLS": f"{a.url};{b.url}",
           "OPENAI_API_CONFIGS": json.dumps({"0": {"headers": templated}, "1": {"headers": {"X-Static": "b"}}}),
           "ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": o.base,
           "OLLAMA_API_CONFIGS": json.dumps({"0": {"headers": {"X-Chat": "{{CHAT_ID}}"}}})}
    chat_headers = {"X-OpenWebUI-Chat-Id": "chat-77", "X-OpenWebUI-Message-Id": "msg-5"}
    gw = Gateway(env)
    try:
        gw.wait_for_models(["m-a", "m-b"])
        gw.wait_for_models(["llama3:latest"], path="/ollama/v1/models")
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m-a", "messages": []}, headers=chat_headers)
        h = a.stats()["last_headers"]
        check(status == 200, raw)
        check(h["x-user"] == ["admin"] and h["x-who"] == ["User <admin@localhost> admin"], h)
        check(h["x-chat"] == ["chat=chat-77;msg=msg-5"] and h["x-static"] == ["plain {{UNKNOWN}}"], h)
        check(not any(k.startswith("x-openwebui") for k in h), "user info forwarded while off")
        # No chat named: the placeholders are empty, the header is still sent.
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m-a", "messages": [], "stream": True})
        check(status == 200 and a.stats()["last_headers"]["x-chat"] == ["chat=;msg="], a.stats())
        # A connection without placeholders sends its headers as they are, and nothing else.
        status, _, raw = gw.post("/openai/embeddings", {"model": "m-b", "input": "x"}, headers=chat_headers)
        h = b.stats()["last_headers"]
        check(status == 200 and h["x-static"] == ["b"] and "x-user" not in h and "x-chat" not in h, h)
        # Ollama connections take the same placeholders.
        status, _, raw = gw.post("/ollama/api/chat", {"model": "llama3", "messages": [], "stream": False},
                                 headers=chat_headers)
        check(status == 200 and o.stats()["last_headers"]["x-chat"] == ["chat-77"], o.stats())
    finally:
        check(gw.stop() == 0, gw.output())
    # ENABLE_FORWARD_USER_INFO_HEADERS: Open WebUI's user-info headers, under the names configured;
    # a connection's own header of the same name wins, sent once.
    env = dict(env, ENABLE_FORWARD_USER_INFO_HEADERS="True", FORWARD_USER_INFO_HEADER_USER_ID="X-Uid",
               OPENAI_API_CONFIGS=json.dumps({"1": {"headers": {"X-OpenWebUI-User-Email": "fixed"}}}))
    gw = Gateway(env)
    try:
        gw.wait_for_models(["m-a", "m-b"])
        gw.wait_for_models(["llama3:latest"], path="/ollama/v1/models")
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m-b", "messages": []}, headers=chat_headers)
        h = b.stats()["last_headers"]
        check(status == 200, raw)
        check(h["x-openwebui-user-name"] == ["User"] and h["x-uid"] == ["admin"], h)
        check(h["x-openwebui-user-email"] == ["fixed"] and h["x-openwebui-user-role"] == ["admin"], h)
        check(h["x-openwebui-chat-id"] == ["chat-77"] and h["x-openwebui-message-id"] == ["msg-5"], h)
        check("x-openwebui-user-id" not in h, h)
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m-a", "messages": []})
        h = a.stats()["last_headers"]
        check(status == 200 and "x-openwebui-chat-id" not in h and h["x-uid"] == ["admin"], h)
        status, _, raw = gw.post("/ollama/api/generate", {"model": "llama3", "prompt": "x", "stream": False},
                                 headers=chat_headers)
        h = o.stats()["last_headers"]
        check(status == 200 and h["x-openwebui-chat-id"] == ["chat-77"] and h["x-uid"] == ["admin"], h)
    finally:
        check(gw.stop() == 0, gw.output())
        for f in (a, b, o):
            f.stop()


if __name__ == "__main__":
    run_tests([test_embeddings_completions_and_speech_are_routed_by_model,
               test_the_responses_api_streamed_and_not,
               test_one_connections_list_and_unlisted_official_models,
               test_auth_types_send_what_they_say,
               test_auth_types_that_cannot_be_honoured_are_refused,
               test_verify_tries_a_connection_without_storing_it,
               test_a_url_whose_host_parsers_disagree_on_is_refused,
               test_passthrough_exists_only_when_enabled,
               test_reasoning_model_bodies_change_only_where_they_must,
               test_azure_connections_get_deployment_paths_and_azure_bodies,
               test_connection_headers_say_who_the_request_is_for])
