"""Usage accounting over real HTTP: every metered answer's tokens, as the provider reported them
(OpenAI whole and streamed, Responses, embeddings, Ollama whole and streamed), rolled up by the
usage actor, kept in RocksDB and read back from GET /api/v1/usage as JSON or CSV."""
import csv
import io
import json
import socket
import time

from harness import FakeUpstream, Gateway, check, sign_up, request, run_tests


def usage(gw, query, headers=None):
    status, hdrs, raw = gw.get("/api/v1/usage" + query, headers=headers)
    check(status == 200, (status, raw))
    return json.loads(raw)["data"]


def wait_usage(gw, query, ready, headers=None, timeout=10.0):
    """The usage rows once `ready(rows)` holds (records reach the actor in batches)."""
    deadline = time.time() + timeout
    while True:
        rows = usage(gw, query, headers)
        if ready(rows):
            return rows
        check(time.time() < deadline, f"usage never became ready: {rows}")
        time.sleep(0.05)


def by(rows, field):
    return {r[field]: r for r in rows}


def read_stream(gw, path, body, headers=None):
    status, _, raw = gw.post(path, dict(body, stream=True), headers=headers)
    check(status == 200, raw)
    return raw


def cancel_mid_stream(port, path, body):
    """Sends a streaming request, reads the first bytes of the answer, and leaves."""
    data = json.dumps(dict(body, stream=True)).encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    got = b""
    while b"tok1" not in got:
        piece = s.recv(4096)
        check(piece, f"the stream ended before it was left: {got}")
        got += piece
    s.close()


CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def test_every_kind_of_answer_reports_its_usage():
    openai = FakeUpstream(models=["chat", "resp", "emb", "slow+chunks:50+chunk_delay:100"], name="A")
    ollama = FakeUpstream(models=["ol", "olgen", "olemb"], name="O")
    gw = Gateway({"OPENAI_API_BASE_URLS": openai.url, "OPENAI_API_KEYS": "k",
                  "ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": ollama.base})
    try:
        gw.wait_for_models(["chat", "ol"], path="/api/models")
        check(gw.post("/openai/chat/completions", dict(CHAT, model="chat"))[0] == 200, "chat")
        raw = read_stream(gw, "/openai/chat/completions",
                          dict(CHAT, model="chat", stream_options={"include_usage": True}))
        check(b'"completion_tokens":5' in raw, raw)  # the client asked: it gets the usage chunk
        check(gw.post("/openai/responses", {"model": "resp", "input": "hi"})[0] == 200, "responses")
        read_stream(gw, "/openai/responses", {"model": "resp", "input": "hi"})
        check(gw.post("/openai/embeddings", {"model": "emb", "input": "hi"})[0] == 200, "embeddings")
        check(gw.post("/ollama/api/chat", dict(CHAT, model="ol", stream=False))[0] == 200, "ollama")
        read_stream(gw, "/ollama/api/chat", dict(CHAT, model="ol"))
        check(gw.post("/ollama/api/generate", {"model": "olgen", "prompt": "hi",
                                               "stream": False})[0] == 200, "generate")
        check(gw.post("/ollama/api/embed", {"model": "olemb", "input": "hi"})[0] == 200, "embed")
        # The unified route to an Ollama model: converted to SSE, counted from Ollama's last line.
        read_stream(gw, "/api/chat/completions", dict(CHAT, model="ol"))
        cancel_mid_stream(gw.port, "/openai/chat/completions",
                          dict(CHAT, model="slow+chunks:50+chunk_delay:100"))

        rows = wait_usage(gw, "?group_by=model", lambda rows: sum(r["requests"] for r in rows) >= 11)
        m = by(rows, "model")
        check(m["chat"]["requests"] == 2 and m["chat"]["prompt_tokens"] == 6 and
              m["chat"]["completion_tokens"] == 10 and m["chat"]["total_tokens"] == 16, m["chat"])
        check(m["resp"]["requests"] == 2 and m["resp"]["prompt_tokens"] == 14 and
              m["resp"]["completion_tokens"] == 6, m["resp"])
        check(m["emb"]["prompt_tokens"] == 1 and m["emb"]["completion_tokens"] == 0, m["emb"])
        # /ollama/api/chat twice and the unified route once.
        check(m["ol"]["requests"] == 3 and m["ol"]["prompt_tokens"] == 9 and
              m["ol"]["completion_tokens"] == 15 and m["ol"]["usage_unknown"] == 0, m["ol"])
        check(m["olgen"]["prompt_tokens"] == 3 and m["olgen"]["completion_tokens"] == 5, m["olgen"])
        check(m["olemb"]["prompt_tokens"] == 4, m["olemb"])
        slow = m["slow+chunks:50+chunk_delay:100"]
        check(slow["requests"] == 1 and slow["cancelled"] == 1 and slow["usage_unknown"] == 1 and
              slow["total_tokens"] == 0, slow)
        # Lists, health and the like are not metered.
        check(sum(r["requests"] for r in rows) == 11, rows)
        # Prometheus, in OpenTelemetry's GenAI names.
        text = gw.get("/metrics")[2].decode()
        def series(name, *labels):
            for line in text.splitlines():
                if line.startswith(name + "{") and all(l in line for l in labels):
                    return float(line.rsplit(" ", 1)[1])
            return None
        chat = 'gen_ai_request_model="chat"'
        check(series("gen_ai_client_token_usage_sum", chat, 'gen_ai_token_type="input"') == 6 and
              series("gen_ai_client_token_usage_sum", chat, 'gen_ai_token_type="output"') == 10 and
              series("gen_ai_client_token_usage_count", chat, 'gen_ai_token_type="output"') == 2,
              text)
        check(series("gen_ai_server_time_to_first_token_seconds_count", chat) == 2 and
              series("gen_ai_client_operation_duration_seconds_count", chat) == 2, text)
    finally:
        check(gw.stop() == 0, gw.output())
        openai.stop()
        ollama.stop()


def test_a_stream_that_did_not_ask_for_usage_is_counted_and_reaches_the_client_unchanged():
    fake = FakeUpstream(models=["chat"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "k",
                  "ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": fake.base})
    try:
        gw.wait_for_models(["chat"])
        cases = [("/openai/chat/completions", "/v1/chat/completions", {}),
                 ("/openai/chat/completions", "/v1/chat/completions",
                  {"stream_options": {"include_usage": False}}),
                 ("/ollama/v1/chat/completions", "/v1/chat/completions", {}),
                 ("/api/chat/completions", "/v1/chat/completions", {})]
        for via, direct_path, extra in cases:
            body = dict(CHAT, model="chat", stream=True, **extra)
            status, _, direct = request(fake.port, "POST", direct_path, json.dumps(body))
            check(status == 200 and b'"usage"' not in direct, direct)
            relayed = read_stream(gw, via, body)
            check(relayed == direct, (via, extra, relayed, direct))
            asked = json.loads(fake.stats()["last_body"])
            check(asked["stream_options"]["include_usage"] is True, asked)
        rows = wait_usage(gw, "?group_by=model", lambda rows: rows and rows[0]["requests"] >= 4)
        check(rows[0]["prompt_tokens"] == 12 and rows[0]["completion_tokens"] == 20 and
              rows[0]["usage_unknown"] == 0, rows)
    finally:
        check(gw.stop() == 0, gw.output())
    # ASK_STREAM_USAGE=false: the request goes as it came, and its usage is unknown.
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "k",
                  "ASK_STREAM_USAGE": "false"})
    try:
        gw.wait_for_models(["chat"])
        read_stream(gw, "/openai/chat/completions", dict(CHAT, model="chat"))
        check("stream_options" not in json.loads(fake.stats()["last_body"]), "asked anyway")
        rows = wait_usage(gw, "?group_by=model", lambda rows: rows and rows[0]["requests"] >= 1)
        check(rows[0]["usage_unknown"] == 1 and rows[0]["total_tokens"] == 0, rows)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_usage_reads_back_per_user_key_model_and_day_as_json_and_csv():
    fake = FakeUpstream(models=["m1", "m2"], name="A")
    gw = Gateway({"WEBUI_AUTH": "True", "OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "k",
                  "BYPASS_MODEL_ACCESS_CONTROL": "True", "USER_PERMISSIONS_FEATURES_API_KEYS": "True"})
    data_dir = gw.data_dir
    try:
        admin, ah = sign_up(gw, "admin")
        user, uh = sign_up(gw, "bob", ah)
        key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=uh)[2])["api_key"]
        kh = {"Authorization": f"Bearer {key}"}
        deadline = time.time() + 10
        while gw.post("/openai/chat/completions", dict(CHAT, model="m2"), headers=ah)[0] != 200:
            check(time.time() < deadline, "no models")
            time.sleep(0.05)
        for h, model in [(uh, "m1"), (kh, "m1"), (kh, "m2")]:
            check(gw.post("/openai/chat/completions", dict(CHAT, model=model), headers=h)[0] == 200,
                  model)

        rows = wait_usage(gw, "?group_by=user,key,model,day",
                          lambda rows: sum(r["requests"] for r in rows) >= 4, headers=ah)
        today = time.strftime("%Y-%m-%d", time.gmtime())
        check(all(r["day"] == today for r in rows), rows)
        mine = [r for r in rows if r["user_id"] == user["id"]]
        check(len(mine) == 3, rows)
        check(any(r["api_key_id"] == "" and r["model"] == "m1" and r["requests"] == 1 for r in mine), mine)
        check(any(r["api_key_id"] == f"key_{user['id']}" and r["model"] == "m2" for r in mine), mine)
        check(sum(r["requests"] for r in rows if r["user_id"] == admin["id"]) >= 1, rows)

        # A user reads their own rows only; asking for another's is refused.
        own = usage(gw, "?group_by=user", headers=kh)
        check(len(own) == 1 and own[0]["user_id"] == user["id"] and own[0]["requests"] == 3, own)
        status, _, raw = gw.get(f"/api/v1/usage?user_id={admin['id']}", headers=uh)
        check(status == 403, (status, raw))
        # An admin may narrow to one user and model.
        one = usage(gw, f"?user_id={user['id']}&model=m1&group_by=key", headers=ah)
        check(sorted(r["api_key_id"] for r in one) == ["", f"key_{user['id']}"], one)

        status, hdrs, raw = gw.get("/api/v1/usage?group_by=model,hour&format=csv", headers=ah)
        check(status == 200 and hdrs["content-type"].startswith("text/csv"), (status, hdrs))
        table = list(csv.DictReader(io.StringIO(raw.decode())))
        check(list(table[0].keys()) == ["hour", "model", "requests", "prompt_tokens",
                                        "completion_tokens", "total_tokens", "cancelled", "errors",
                                        "usage_unknown"], table)
        check({r["model"]: int(r["requests"]) for r in table} == {"m1": 2, "m2": 2}, table)
        check(all(r["hour"].endswith(":00:00Z") for r in table), table)

        for bad in ["?group_by=nope", "?from=yesterday", "?format=xml", "?from=2026-12-07&to=2026-12-01"]:
            check(gw.get("/api/v1/usage" + bad, headers=ah)[0] == 400, bad)
        # A range that ends before today's requests holds none of them.
        check(usage(gw, "?from=2020-01-01&to=2020-01-02", headers=ah) == [], "old range")
        check(gw.get("/api/v1/usage")[0] == 401, "anonymous")
    finally:
        check(gw.stop() == 0, gw.output())
    # Kept in RocksDB: a restarted gateway reads the same rows.
    gw = Gateway({"WEBUI_AUTH": "True", "OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "k"},
                 data_dir=data_dir)
    try:
        status, _, raw = gw.post("/api/v1/auths/signin", {"email": "admin@example.com",
                                                          "password": "pw-admin"})
        ah = {"Authorization": f"Bearer {json.loads(raw)['token']}"}
        rows = usage(gw, "?group_by=model", headers=ah)
        check(by(rows, "model")["m1"]["requests"] == 2 and by(rows, "model")["m2"]["requests"] == 2,
              rows)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


if __name__ == "__main__":
    run_tests([test_every_kind_of_answer_reports_its_usage,
               test_a_stream_that_did_not_ask_for_usage_is_counted_and_reaches_the_client_unchanged,
               test_usage_reads_back_per_user_key_model_and_day_as_json_and_csv])
