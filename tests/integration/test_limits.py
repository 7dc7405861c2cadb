"""Limits and budgets over real HTTP: rules set by an admin (PUT/GET/DELETE /api/v1/limits), each
kind refused at its edge with 429, Retry-After and a message that names it, in the route's
dialect; no metered route escapes; a budget is not overspent by 200 concurrent requests."""
import json
import threading
import time

from harness import FakeUpstream, Gateway, check, sign_up, in_parallel, run_tests

CHAT = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def put_limit(gw, ah, scope, id_, body):
    status, _, raw = request_put(gw, f"/api/v1/limits/{scope}/{id_}", body, ah)
    check(status == 200, (status, raw))
    return json.loads(raw)


def request_put(gw, path, body, headers):
    from harness import request
    return request(gw.port, "PUT", path, json.dumps(body),
                   headers=dict(headers, **{"Content-Type": "application/json"}))


def start_of_a_minute():
    """Waits, when the minute is about to turn, for the next one: a window test needs its whole
    minute (a deadline, not a bare sleep: the clock is the condition)."""
    while 60 - time.time() % 60 < 8:
        time.sleep(0.2)


def admin_metric(gw, ah, name):
    for line in gw.get("/metrics", headers=ah)[2].decode().splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def limited_gateway(fake, extra=None):
    env = {"WEBUI_AUTH": "True", "OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "k",
           "ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": fake.base,
           "BYPASS_MODEL_ACCESS_CONTROL": "True", "USER_PERMISSIONS_FEATURES_API_KEYS": "True",
           "ENABLE_OPENAI_API_PASSTHROUGH": "True"}
    env.update(extra or {})
    return Gateway(env)


def wait_answering(gw, h, model):
    deadline = time.time() + 10
    while gw.post("/openai/chat/completions", dict(CHAT, model=model), headers=h)[0] != 200:
        check(time.time() < deadline, "the model never answered")
        time.sleep(0.05)


def chat(gw, h, model="m", path="/openai/chat/completions", **extra):
    return gw.post(path, dict(CHAT, model=model, **extra), headers=h)


def refused(status, hdrs, raw, code, words, retry_max=60):
    check(status == 429, (status, raw))
    body = json.loads(raw)
    check(body["error"]["code"] == code and words in body["error"]["message"], body)
    retry = int(hdrs["retry-after"])
    check(1 <= retry <= retry_max, hdrs)
    return body


def test_every_limit_kind_is_refused_at_its_edge():
    fake = FakeUpstream(models=["m", "free-m", "held+slow_ttft:1500"], name="A")
    gw = limited_gateway(fake)
    try:
        admin, ah = sign_up(gw, "admin")
        bob, bh = sign_up(gw, "bob", ah)
        carol, ch = sign_up(gw, "carol", ah)
        key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=bh)[2])["api_key"]
        kh = bearer(key)
        wait_answering(gw, ah, "m")

        # Requests per minute, the user's own.
        start_of_a_minute()
        put_limit(gw, ah, "user", bob["id"], {"rpm": 3})
        for _ in range(3):
            check(chat(gw, bh)[0] == 200, "under the rpm")
        body = refused(*chat(gw, bh), "rate_limit_exceeded", "3 requests per minute")
        check("your account" in body["error"]["message"] and body["error"]["type"] == "requests", body)
        # The key is the same user: counted in the same minute.
        refused(*chat(gw, kh), "rate_limit_exceeded", "3 requests per minute")
        check(admin_metric(gw, ah, 'switchboard_limit_refusals_total{whose="user",limit="rpm"}') == 2,
              "metric")
        check(gw.request_delete(f"/api/v1/limits/user/{bob['id']}", ah)[0] == 200, "delete")
        check(chat(gw, bh)[0] == 200, "the rule is gone")

        # Tokens per minute, the key's: a request reserves its input and max_tokens, and settles
        # to what it used (8 tokens here), so about ten fit in 100.
        start_of_a_minute()
        put_limit(gw, ah, "key", f"key_{bob['id']}", {"tpm": 100})
        passed = 0
        while True:
            status, hdrs, raw = chat(gw, kh)
            if status != 200:
                break
            passed += 1
            check(passed < 20, "the tpm never refused")
        body = refused(status, hdrs, raw, "rate_limit_exceeded", "100 tokens per minute")
        check(body["error"]["type"] == "tokens" and "API key" in body["error"]["message"], body)
        check(5 <= passed <= 10, passed)
        too_big = refused(*chat(gw, kh, max_tokens=1000), "rate_limit_exceeded", "more than the 100")
        # What the provider reads is what is reserved: n answers of max_tokens each; Ollama's
        # own API reads num_predict alone (its max_tokens would be no cap at all).
        refused(*chat(gw, kh, n=30), "rate_limit_exceeded", "more than the 100")
        status, _, raw = gw.post("/ollama/api/chat", dict(CHAT, model="m", stream=False, max_tokens=1),
                                 headers=kh)
        check(status == 429 and "more than the 100" in json.loads(raw)["error"], raw)
        check(chat(gw, bh)[0] == 200, "the user without the key is not limited")

        # Requests in flight, the model's (all its traffic together).
        put_limit(gw, ah, "model", "held+slow_ttft:1500", {"max_in_flight": 2})
        before = fake.stats()["chat_requests"]
        results = []
        threads = [threading.Thread(target=lambda: results.append(chat(gw, ah, "held+slow_ttft:1500")[0]))
                   for _ in range(2)]
        for t in threads:
            t.start()
        deadline = time.time() + 10
        while fake.stats()["chat_requests"] < before + 2:
            check(time.time() < deadline, "the held requests never arrived")
            time.sleep(0.02)
        body = refused(*chat(gw, ch, "held+slow_ttft:1500"), "rate_limit_exceeded", "at most 2 in flight", 1)
        check("model 'held+slow_ttft:1500'" in body["error"]["message"], body)
        for t in threads:
            t.join(10)
        check(results == [200, 200], results)
        check(chat(gw, ch, "held+slow_ttft:1500")[0] == 200, "in flight again after they ended")

        # A budget, a group's, for each member: 50 tokens a day, 8 used per request, 28 reserved.
        status, _, raw = gw.post("/api/v1/groups/create", {"name": "students", "description": ""},
                                 headers=ah)
        group = json.loads(raw)
        check(gw.post(f"/api/v1/groups/id/{group['id']}/users/add", {"user_ids": [carol["id"]]},
                      headers=ah)[0] == 200, "member")
        put_limit(gw, ah, "group", group["id"], {"budget_tokens": 50, "budget_period": "day"})
        put_limit(gw, ah, "model", "free-m", {"free": True})
        deadline = time.time() + 10
        spent = 0
        while True:
            status, hdrs, raw = chat(gw, ch)
            if status != 200:
                break
            spent += 8
            check(spent < 100, "the budget never refused")
        body = refused(status, hdrs, raw, "insufficient_quota", "50 tokens per day", 86400)
        check("group 'students'" in body["error"]["message"] and
              body["error"]["type"] == "insufficient_quota", body)
        # 8 used and 25 reserved each (80 bytes of body, max_tokens 5): after three, 24 + 25 fit,
        # after four not. A request admitted before the one before it settled sees that one's
        # whole reservation: fewer fit then, never more.
        check(16 <= spent <= 32, spent)
        # Ollama's clients read a string error.
        status, hdrs, raw = gw.post("/ollama/api/chat", dict(CHAT, model="m", stream=False), headers=ch)
        check(status == 429 and "50 tokens per day" in json.loads(raw)["error"] and
              int(hdrs["retry-after"]) >= 1, raw)
        # A free model counts no budget.
        check(chat(gw, ch, "free-m")[0] == 200, "free model")
        # Bob is no student.
        check(chat(gw, bh)[0] == 200, "bob")

        status, _, raw = gw.get("/api/v1/limits/", headers=ah)
        rules = json.loads(raw)["data"]
        check({(r["scope"], r["id"]) for r in rules} ==
              {("key", f"key_{bob['id']}"), ("model", "held+slow_ttft:1500"), ("group", group["id"]),
               ("model", "free-m")}, rules)
        check(gw.get("/api/v1/limits/", headers=bh)[0] == 403, "a user reads the rules")
        check(request_put(gw, "/api/v1/limits/user/x", {"rpm": 1}, bh)[0] == 403, "a user sets one")
        for path, body in [("user/x", {"rpm": -1}), ("user/x", {"rpm": "10"}), ("nope/x", {"rpm": 1}),
                           ("default/x", {"rpm": 1}), ("user/x", {"budget_period": "year"}),
                           ("user/x", {"free": True}), ("user/x", {"rpms": 1}),
                           ("connection/c", {"rpm": 1}), ("user/", {"rpm": 1})]:
            check(request_put(gw, "/api/v1/limits/" + path, body, ah)[0] == 400, (path, body))
        check(gw.request_delete("/api/v1/limits/user/nobody", ah)[0] == 404, "no such rule")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_no_metered_route_escapes_a_limit():
    fake = FakeUpstream(models=["m"], name="A")
    gw = limited_gateway(fake, {"MODELS_REFRESH_INTERVAL": "3600"})  # no list fetch meanwhile
    try:
        admin, ah = sign_up(gw, "admin")
        wait_answering(gw, ah, "m")
        put_limit(gw, ah, "default", "*", {"rpm": 0})
        before = fake.stats()["requests"]
        routes = [("/api/chat/completions", CHAT), ("/api/v1/chat/completions", CHAT),
                  ("/api/embeddings", {"input": "x"}), ("/api/v1/embeddings", {"input": "x"}),
                  ("/openai/chat/completions", CHAT), ("/openai/embeddings", {"input": "x"}),
                  ("/openai/completions", {"prompt": "x"}), ("/openai/responses", {"input": "x"}),
                  ("/openai/audio/speech", {"input": "x", "voice": "v"}),
                  ("/openai/files", {}),  # the passthrough
                  ("/ollama/api/chat", CHAT), ("/ollama/api/chat/0", CHAT),
                  ("/ollama/api/generate", {"prompt": "x"}), ("/ollama/api/generate/0", {"prompt": "x"}),
                  ("/ollama/api/embed", {"input": "x"}), ("/ollama/api/embed/0", {"input": "x"}),
                  ("/ollama/api/embeddings", {"prompt": "x"}), ("/ollama/api/embeddings/0", {"prompt": "x"}),
                  ("/ollama/v1/chat/completions", CHAT), ("/ollama/v1/chat/completions/0", CHAT),
                  ("/ollama/v1/completions", {"prompt": "x"}), ("/ollama/v1/completions/0", {"prompt": "x"})]
        for path, body in routes:
            status, hdrs, raw = gw.post(path, dict(body, model="m"), headers=ah)
            check(status == 429 and "retry-after" in hdrs and b"0 requests per minute" in raw,
                  (path, status, raw))
        stats = fake.stats()  # (this one counted too)
        check(stats["requests"] == before + 1, ("a refused request reached the upstream", stats))
        # Not metered, so not limited: lists and the rest.
        check(gw.get("/api/models", headers=ah)[0] == 200, "lists")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_a_budget_is_not_overspent_by_200_concurrent_requests():
    fake = FakeUpstream(models=["m"], name="A")
    gw = limited_gateway(fake, {"THREADS": "2"})
    try:
        admin, ah = sign_up(gw, "admin")
        dave, dh = sign_up(gw, "dave", ah)
        wait_answering(gw, ah, "m")
        budget = 400
        put_limit(gw, ah, "user", dave["id"], {"budget_tokens": budget, "budget_period": "month"})
        statuses = []
        lock = threading.Lock()

        def one():
            status = chat(gw, dh)[0]
            with lock:
                statuses.append(status)

        in_parallel(one, 200, timeout=60)
        check(len(statuses) == 200, len(statuses))
        ok = statuses.count(200)
        check(ok > 0 and statuses.count(429) == 200 - ok, statuses)
        deadline = time.time() + 10
        while True:
            status, _, raw = gw.get(f"/api/v1/usage?user_id={dave['id']}", headers=ah)
            rows = json.loads(raw)["data"]
            if rows and rows[0]["requests"] >= 200:
                break
            check(time.time() < deadline, rows)
            time.sleep(0.05)
        check(rows[0]["total_tokens"] == 8 * ok and rows[0]["total_tokens"] <= budget, (rows, ok))
        # Settled: what is left is what the answers did not use; one more request fits only if
        # a whole reservation does.
        check(rows[0]["errors"] == 200 - ok, rows)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


if __name__ == "__main__":
    run_tests([test_every_limit_kind_is_refused_at_its_edge,
               test_no_metered_route_escapes_a_limit,
               test_a_budget_is_not_overspent_by_200_concurrent_requests])
