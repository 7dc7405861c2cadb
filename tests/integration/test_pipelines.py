"""Pipelines over real HTTP: a Pipelines server is an OpenAI connection whose list says
"pipelines": its filters leave every model list and run around the unified chat route's requests
(inlet, by priority, for the models they name or "*") and /api/chat/completed (outlet); its pipes
are models whose requests carry who they are for. A filter that cannot be reached is passed over,
one that answers `detail` refuses the request, and a client that leaves cancels the filter call."""
import json
import socket
import time

from harness import FakeUpstream, Gateway, check, request, run_tests

FILTERS = [
    {"id": "f_all", "type": "filter", "pipelines": ["*"], "priority": 0},
    {"id": "f_late", "type": "filter", "pipelines": ["gpt-a"], "priority": 5},
    {"id": "f_mid", "type": "filter", "pipelines": ["gpt-a", "pipe1"], "priority": 2},
    {"id": "pipe1", "type": "pipe"},
]
CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def setup(pipelines=FILTERS, env=None, extra_upstreams=()):
    openai = FakeUpstream(models=["gpt-a", "gpt-b"], name="O")
    pipes = FakeUpstream(models=[], name="P", key="pk", extra=["--pipelines", json.dumps(pipelines)])
    urls = [openai.url, pipes.base] + [u.base for u in extra_upstreams]
    keys = ["", "pk"] + ["pk" for _ in extra_upstreams]
    gw = Gateway(dict({"OPENAI_API_BASE_URLS": ";".join(urls), "OPENAI_API_KEYS": ";".join(keys)},
                      **(env or {})))
    if (env or {}).get("WEBUI_AUTH") != "True":
        gw.wait_for_models(["gpt-a", "gpt-b"])
    return gw, openai, pipes


def wait_for_filters(gw, pipes, deadline=10):
    """The Pipelines server's list is in once a request calls a filter."""
    end = time.time() + deadline
    while True:
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-b"))
        if status == 200 and pipes.stats()["pipelines"]["calls"]:
            return
        check(time.time() < end, "the filters never ran")
        time.sleep(0.05)


def last_user_text(upstream):
    body = json.loads(upstream.stats()["last_body"])
    return body["messages"][-1]["content"], body


def stop(*procs):
    for p in procs:
        p.stop()


def test_filters_run_by_priority_for_the_models_they_name():
    gw, openai, pipes = setup()
    try:
        wait_for_filters(gw, pipes)
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
        check(status == 200, raw)
        text, _ = last_user_text(openai)
        check(text == "hi [f_all:inlet] [f_mid:inlet] [f_late:inlet]", text)
        status, _, raw = gw.post("/api/v1/chat/completions", dict(CHAT, model="gpt-b", stream=True))
        check(status == 200 and b"[DONE]" in raw, raw)
        text, body = last_user_text(openai)
        check(text == "hi [f_all:inlet]" and body["stream"] is True, body)
        calls = pipes.stats()["pipelines"]["calls"]
        check(all(c["auth"] == "Bearer pk" and c["phase"] == "inlet" for c in calls), calls)
        check(calls[-1]["user"]["role"] == "admin" and
              set(calls[-1]["user"]) == {"id", "email", "name", "role"}, calls[-1])
        check(calls[-1]["body"]["model"] == "gpt-b" and calls[-1]["body"]["stream"] is True, calls[-1])
        # Not models: in no list, and not routed.
        for path in ["/api/models", "/api/models/base", "/openai/models", "/openai/models/1"]:
            status, _, raw = gw.get(path)
            ids = [m["id"] for m in json.loads(raw)["data"]]
            check(status == 200 and "pipe1" in ids and not any(i.startswith("f_") for i in ids),
                  (path, ids))
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="f_all"))
        check(status == 400 and json.loads(raw)["detail"] == "Model not found", raw)
        # The /openai route has no inlet stage: nothing is filtered there.
        gw.post("/openai/chat/completions", dict(CHAT, model="gpt-a"))
        text, _ = last_user_text(openai)
        check(text == "hi", text)
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_a_presets_filters_see_it_as_the_client_sent_it_and_it_applies_once():
    gw, openai, pipes = setup()
    try:
        wait_for_filters(gw, pipes)
        form = {"id": "helper", "base_model_id": "gpt-a", "name": "Helper", "meta": {},
                "params": {"system": "SYS", "temperature": 0.5}, "access_control": None,
                "is_active": True}
        status, _, raw = gw.post("/api/v1/models/create", form)
        check(status == 200, raw)
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="helper"))
        check(status == 200, raw)
        seen = [c for c in pipes.stats()["pipelines"]["calls"] if c["body"]["model"] == "helper"]
        check([c["id"] for c in seen] == ["f_all", "f_mid", "f_late"], seen)
        check(all(len(c["body"]["messages"]) == 1 and "temperature" not in c["body"] for c in seen),
              seen[0])
        _, body = last_user_text(openai)
        check(body["model"] == "gpt-a" and body["temperature"] == 0.5 and
              [m["role"] for m in body["messages"]] == ["system", "user"] and
              body["messages"][0]["content"] == "SYS" and
              body["messages"][1]["content"] == "hi [f_all:inlet] [f_mid:inlet] [f_late:inlet]", body)
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_a_pipe_model_is_told_who_asks_and_runs_its_own_inlet_last():
    gw, openai, pipes = setup()
    try:
        gw.wait_for_models(["pipe1"], path="/api/models")
        wait_for_filters(gw, pipes)
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="pipe1", user="spoofed"))
        check(status == 200, raw)
        stats = pipes.stats()
        sent = json.loads(stats["last_body"])
        check(stats["last_path"] == "/chat/completions" and sent["model"] == "pipe1", stats)
        check(sent["user"]["role"] == "admin" and set(sent["user"]) == {"id", "email", "name", "role"},
              sent)
        check(sent["messages"][-1]["content"] == "hi [f_all:inlet] [f_mid:inlet] [pipe1:inlet]", sent)
        # /openai/chat/completions tells a pipe too (Open WebUI's rule is in its OpenAI router).
        gw.post("/openai/chat/completions", dict(CHAT, model="pipe1"))
        sent = json.loads(pipes.stats()["last_body"])
        check(sent["user"]["role"] == "admin" and sent["messages"][-1]["content"] == "hi", sent)
        # A plain model's request gets no user object.
        gw.post("/api/chat/completions", dict(CHAT, model="gpt-a", user="u1"))
        _, body = last_user_text(openai)
        check(body["user"] == "u1", body)
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_a_refusing_filter_stops_the_request_with_its_status_and_detail():
    pipelines = [{"id": "guard", "type": "filter", "pipelines": ["gpt-a"], "action": "refuse"}]
    gw, openai, pipes = setup(pipelines)
    try:
        end = time.time() + 10
        while True:
            status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
            if status != 200 or time.time() > end:
                break
            time.sleep(0.05)
        body = json.loads(raw)
        check(status == 403 and body["detail"] == "refused by guard" and
              body["error"]["message"] == "refused by guard", (status, body))
        before = openai.stats()["chat_requests"]
        gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
        check(openai.stats()["chat_requests"] == before, "a refused request reached the provider")
        status, _, _ = gw.post("/api/chat/completions", dict(CHAT, model="gpt-b"))
        check(status == 200, "a model the filter does not name is not refused")
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_an_unreachable_or_broken_filter_fails_open_and_is_counted():
    pipelines = [{"id": "junk", "type": "filter", "pipelines": ["gpt-a"], "action": "garbage"}]
    dead = FakeUpstream(models=[], name="D", key="pk",
                        extra=["--pipelines", json.dumps([{"id": "gone", "type": "filter",
                                                           "pipelines": ["*"]}])])
    gw, openai, pipes = setup(pipelines, extra_upstreams=[dead])
    try:
        end = time.time() + 10
        while True:  # both servers' filters are in
            gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
            ids = {c["id"] for c in pipes.stats()["pipelines"]["calls"] + dead.stats()["pipelines"]["calls"]}
            if ids == {"junk", "gone"}:
                break
            check(time.time() < end, ids)
            time.sleep(0.05)
        dead.stop()
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
        check(status == 200, raw)
        text, _ = last_user_text(openai)
        check(text == "hi", text)
        metrics = gw.get("/metrics")[2].decode()
        for name, filt in [("switchboard_pipeline_filter_fail_opens_total", "gone"),
                           ("switchboard_pipeline_filter_fail_opens_total", "junk"),
                           ("switchboard_pipeline_filter_calls_total", "junk")]:
            lines = [l for l in metrics.splitlines() if l.startswith(name + "{") and f'filter="{filt}"' in l]
            check(lines and float(lines[0].rsplit(" ", 1)[1]) >= 1, (name, filt, lines))
        check("switchboard_pipeline_filter_duration_seconds_count{" in metrics, "no filter timings")
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_outlet_filters_run_on_chat_completed():
    gw, openai, pipes = setup()
    try:
        wait_for_filters(gw, pipes)
        form = {"model": "gpt-a", "chat_id": "c1", "session_id": "s1", "id": "m2",
                "messages": [{"id": "m1", "role": "user", "content": "hi"},
                             {"id": "m2", "role": "assistant", "content": "hello"}]}
        status, _, raw = gw.post("/api/chat/completed", dict(form, model_item={"id": "gpt-a", "x": 1}))
        body = json.loads(raw)
        check(status == 200 and body["chat_id"] == "c1" and body["id"] == "m2", (status, body))
        # Open WebUI's front end sends the whole model entry; it pops it before the filters.
        check("model_item" not in body, body)
        check(body["messages"][-1]["content"] == "hello [f_all:outlet] [f_mid:outlet] [f_late:outlet]",
              body)
        calls = [c for c in pipes.stats()["pipelines"]["calls"] if c["phase"] == "outlet"]
        check([c["id"] for c in calls] == ["f_all", "f_mid", "f_late"] and
              calls[0]["body"]["session_id"] == "s1" and "model_item" not in calls[0]["body"], calls)
        # A pipe's own outlet runs first.
        status, _, raw = gw.post("/api/chat/completed", dict(form, model="pipe1"))
        check(json.loads(raw)["messages"][-1]["content"] ==
              "hello [pipe1:outlet] [f_all:outlet] [f_mid:outlet]", raw)
        status, _, raw = gw.post("/api/chat/completed", dict(form, model="nope"))
        check(status == 400 and json.loads(raw)["detail"] == "Model not found", raw)
        status, _, raw = gw.post("/api/chat/completed", "[1,2]")
        check(status == 400, raw)
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_a_routing_filter_moves_the_request_to_another_model():
    pipelines = [{"id": "router", "type": "filter", "pipelines": ["gpt-a"], "action": "model:gpt-b"}]
    gw, openai, pipes = setup(pipelines)
    try:
        end = time.time() + 10
        while True:
            gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
            if pipes.stats()["pipelines"]["calls"]:
                break
            check(time.time() < end, "the filter never ran")
            time.sleep(0.05)
        check(openai.stats()["last_model"] == "gpt-b", openai.stats()["last_model"])
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
        check(status == 200 and json.loads(raw)["model"] == "gpt-b", raw)
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_a_client_that_leaves_during_a_slow_filter_cancels_it():
    pipelines = [{"id": "slow", "type": "filter", "pipelines": ["gpt-a"], "action": "slow:5000"},
                 {"id": "f_all", "type": "filter", "pipelines": ["*"]}]
    gw, openai, pipes = setup(pipelines)
    try:
        wait_for_filters(gw, pipes)
        before = pipes.stats()["disconnects"]
        s = socket.create_connection(("127.0.0.1", gw.port))
        body = json.dumps(dict(CHAT, model="gpt-a")).encode()
        s.sendall(b"POST /api/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        end = time.time() + 5
        while not any(c["id"] == "slow" for c in pipes.stats()["pipelines"]["calls"]):
            check(time.time() < end, "the slow filter was never called")
            time.sleep(0.02)
        s.close()
        started = time.time()
        while pipes.stats()["disconnects"] == before:
            check(time.time() - started < 2, "the filter call outlived its client")
            time.sleep(0.02)
        chats = openai.stats()["chat_requests"]
        time.sleep(0.2)
        check(openai.stats()["chat_requests"] == chats, "the provider was called for a client gone")
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_a_filter_call_is_bounded_in_time_and_size():
    pipelines = [{"id": "slow", "type": "filter", "pipelines": ["gpt-a"], "action": "slow:3000"},
                 {"id": "echo", "type": "filter", "pipelines": ["gpt-b"]}]
    gw, openai, pipes = setup(pipelines, env={"PIPELINE_FILTER_TIMEOUT": "0.3",
                                              "PIPELINE_FILTER_MAX_BODY": "2048"})
    try:
        wait_for_filters(gw, pipes)
        started = time.time()
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
        took = time.time() - started
        check(status == 200 and took < 2, (status, took))
        text, _ = last_user_text(openai)
        check(text == "hi", text)  # passed over: the request went on as it came
        # An answer over PIPELINE_FILTER_MAX_BODY is not taken either.
        big = "x" * 3000
        status, _, raw = gw.post("/api/chat/completions",
                                 {"model": "gpt-b", "messages": [{"role": "user", "content": big}]})
        text, _ = last_user_text(openai)
        check(status == 200 and text == big, (status, len(text)))
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-b"))
        text, _ = last_user_text(openai)
        check(text == "hi [echo:inlet]", text)
        fails = [l for l in gw.get("/metrics")[2].decode().splitlines()
                 if l.startswith("switchboard_pipeline_filter_fail_opens_total{")]
        check(sum(float(l.rsplit(" ", 1)[1]) for l in fails) >= 2, fails)
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_no_key_reaches_a_log_an_answer_or_another_server_at_trace_level():
    ok, pk = "sk-canary-openai-9b1c2d", "sk-canary-pipes-7f3a4e"
    openai = FakeUpstream(models=["gpt-a"], name="O", key=ok)
    pipelines = [{"id": "f_all", "type": "filter", "pipelines": ["*"]},
                 {"id": "guard", "type": "filter", "pipelines": ["gpt-a"], "priority": 1,
                  "action": "refuse"}]
    pipes = FakeUpstream(models=[], name="P", key=pk, extra=["--pipelines", json.dumps(pipelines)])
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{openai.url};{pipes.base}",
                  "OPENAI_API_KEYS": f"{ok};{pk}", "GLOBAL_LOG_LEVEL": "trace"})
    try:
        end = time.time() + 10
        while not pipes.stats()["pipelines"]["calls"]:
            gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
            check(time.time() < end, "the filters never ran")
            time.sleep(0.05)
        answers = [gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))[2],
                   gw.post("/api/chat/completed", {"model": "gpt-a", "messages": []})[2]]
        for path in ["/openai/config", "/api/v1/pipelines/list", "/api/v1/pipelines/?urlIdx=1",
                     "/api/v1/pipelines/nope/valves?urlIdx=1", "/metrics", "/api/models",
                     "/gateway/upstreams"]:
            answers.append(gw.get(path)[2])
        calls = pipes.stats()["pipelines"]["calls"]
        check(all(c["auth"] == "Bearer " + pk for c in calls), "a filter saw another key")
        text = gw.output() + "".join(a.decode() for a in answers) + json.dumps(calls)
        for canary in (ok, pk):
            check(canary not in text.replace("Bearer " + pk, ""), f"{canary} leaked")
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def signed_up(gw, email, role=None, admin=None):
    status, _, raw = gw.post("/api/v1/auths/signup", {"name": email.split("@")[0], "email": email,
                                                     "password": "pw-12345678"})
    me = json.loads(raw)
    if role:
        gw.post(f"/api/v1/users/{me['id']}/update", {"role": role}, headers=admin)
        me = json.loads(gw.post("/api/v1/auths/signin",
                                {"email": email, "password": "pw-12345678"})[2])
    return {"Authorization": "Bearer " + me["token"]}


def upload_form(filename, url_idx="1"):
    b = "xyzBOUNDARYxyz"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"urlIdx\"\r\n\r\n{url_idx}\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/x-python\r\n\r\nclass Pipeline:\n    pass\n\r\n--{b}--\r\n")
    return body.encode(), {"Content-Type": f"multipart/form-data; boundary={b}"}


def test_the_admin_routes_manage_a_pipelines_server_and_refuse_others():
    gw, openai, pipes = setup(env={"WEBUI_AUTH": "True"})
    try:
        admin = signed_up(gw, "root@example.com")
        user = signed_up(gw, "bob@example.com", role="user", admin=admin)
        end = time.time() + 10
        while True:
            status, _, raw = gw.get("/api/v1/pipelines/list", headers=admin)
            if status == 200 and json.loads(raw)["data"]:
                break
            check(time.time() < end, (status, raw))
            time.sleep(0.05)
        check(json.loads(raw) == {"data": [{"url": pipes.base, "idx": 1}]}, raw)
        status, _, raw = gw.get("/api/v1/pipelines/?urlIdx=1", headers=admin)
        check(status == 200 and [p["id"] for p in json.loads(raw)["data"]] ==
              ["f_all", "f_late", "f_mid", "pipe1"], raw)
        for idx in ["0", "9", "x"]:  # a server with no /pipelines, no connection, not a number
            status, _, raw = gw.get(f"/api/v1/pipelines/?urlIdx={idx}", headers=admin)
            check(status == 404 and json.loads(raw)["detail"] == "Pipeline not found", (idx, raw))
        status, _, raw = gw.post("/api/v1/pipelines/add",
                                 {"url": "https://example.com/x/new.py", "urlIdx": 1}, headers=admin)
        check(status == 200 and json.loads(raw)["status"] is True, raw)
        status, _, raw = gw.post("/api/v1/pipelines/add", {"url": "https://example.com/x", "urlIdx": 1},
                                 headers=admin)
        check(status == 400 and json.loads(raw)["detail"] == "URL must point to a Python file", raw)
        body, hdrs = upload_form("up.py")
        status, _, raw = request(gw.port, "POST", "/api/v1/pipelines/upload", body, dict(admin, **hdrs))
        check(status == 200 and json.loads(raw)["status"] is True, raw)
        check("filename=\"up.py\"" in pipes.stats()["last_body"] and
              "urlIdx" not in pipes.stats()["last_body"], pipes.stats()["last_body"])
        # A form is no CSRF guard: a browser on another site is refused.
        body, hdrs = upload_form("csrf.py")
        status, _, raw = request(gw.port, "POST", "/api/v1/pipelines/upload", body,
                                 dict(admin, Origin="http://evil.example", **hdrs))
        check(status == 403, (status, raw))
        body, hdrs = upload_form("evil.sh")
        status, _, raw = request(gw.port, "POST", "/api/v1/pipelines/upload", body, dict(admin, **hdrs))
        check(status == 400 and json.loads(raw)["detail"] == "Only Python (.py) files are allowed.", raw)
        status, _, raw = gw.get("/api/v1/pipelines/?urlIdx=1", headers=admin)
        ids = [p["id"] for p in json.loads(raw)["data"]]
        check("new" in ids and "up" in ids and "evil" not in ids and "csrf" not in ids, ids)
        delete = json.dumps({"id": "new", "urlIdx": 1})
        status, _, raw = request(gw.port, "DELETE", "/api/v1/pipelines/delete", delete, admin)
        check(status == 200, raw)
        status, _, raw = request(gw.port, "DELETE", "/api/v1/pipelines/delete", delete, admin)
        check(status == 404 and json.loads(raw)["detail"] == "Pipeline new not found", raw)
        status, _, raw = gw.get("/api/v1/pipelines/f_all/valves?urlIdx=1", headers=admin)
        check(status == 200 and json.loads(raw) == {"pipelines": ["*"], "priority": 0}, raw)
        status, _, raw = gw.get("/api/v1/pipelines/f_all/valves/spec?urlIdx=1", headers=admin)
        check(status == 200 and json.loads(raw)["title"] == "Valves", raw)
        status, _, raw = gw.post("/api/v1/pipelines/f_all/valves/update?urlIdx=1",
                                 {"pipelines": ["gpt-b"], "priority": 1, "target": "fr"}, headers=admin)
        check(status == 200 and
              json.loads(raw) == {"target": "fr", "pipelines": ["gpt-b"], "priority": 1}, raw)
        status, _, raw = gw.get("/api/v1/pipelines/nope/valves?urlIdx=1", headers=admin)
        check(status == 404 and json.loads(raw)["detail"] == "Pipeline nope not found", raw)
        # Every route is an admin's: a user, and nobody, are refused before anything is sent.
        calls = pipes.stats()["requests"]
        for method, path in [("GET", "/api/v1/pipelines/list"), ("GET", "/api/v1/pipelines/?urlIdx=1"),
                             ("POST", "/api/v1/pipelines/add"), ("POST", "/api/v1/pipelines/upload"),
                             ("DELETE", "/api/v1/pipelines/delete"),
                             ("GET", "/api/v1/pipelines/f_all/valves?urlIdx=1"),
                             ("GET", "/api/v1/pipelines/f_all/valves/spec?urlIdx=1"),
                             ("POST", "/api/v1/pipelines/f_all/valves/update?urlIdx=1")]:
            body = None if method == "GET" else json.dumps({"url": "a.py", "id": "x", "urlIdx": 1})
            for who, want in [(user, 403), ({}, 401)]:
                status, _, raw = request(gw.port, method, path, body, who)
                check(status == want, (method, path, want, status, raw))
        check(pipes.stats()["requests"] <= calls + 2, "a refused call reached the server")
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, pipes)


def test_the_seed_forms_pipeline_servers_run_inlet_and_outlet_for_every_request():
    openai = FakeUpstream(models=["gpt-a"], name="O")
    seed = FakeUpstream(models=["sp1"], name="S", key="sk-seed", extra=["--server-filters", "1"])
    # An OpenAPI tool server (Open WebUI's later use of the variable) wanting its own auth: 401
    # to /models and /inlet alike.
    tools = FakeUpstream(models=[], name="T", key="tool-key")
    servers = [{"url": seed.base, "api_key": "sk-seed"}, {"url": tools.base, "key": "", "path": "openapi.json"}]
    gw = Gateway({"OPENAI_API_BASE_URLS": openai.url, "TOOL_SERVER_CONNECTIONS": json.dumps(servers)})
    try:
        gw.wait_for_models(["gpt-a", "sp1"], path="/api/models")
        for _ in range(3):
            status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
            check(status == 200, raw)
        text, _ = last_user_text(openai)
        check(text == "hi [server:inlet]", text)
        calls = seed.stats()["pipelines"]["calls"]
        check(len(calls) == 3 and calls[0]["auth"] == "Bearer sk-seed" and
              calls[0]["user"]["role"] == "admin" and calls[0]["body"]["model"] == "gpt-a", calls)
        # The tool server was asked once, said 404, and is skipped from then on, with one line.
        check(gw.output().count("answers no /inlet") == 1, gw.output()[-3000:])
        # Its models are pipes: told who asks.
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="sp1"))
        sent = json.loads(seed.stats()["last_body"])
        check(status == 200 and sent["user"]["role"] == "admin" and
              sent["messages"][-1]["content"] == "hi [server:inlet]", sent)
        form = {"model": "gpt-a", "chat_id": "c", "session_id": "s", "id": "m",
                "messages": [{"role": "assistant", "content": "done"}]}
        status, _, raw = gw.post("/api/chat/completed", form)
        check(status == 200 and json.loads(raw)["messages"][-1]["content"] == "done [server:outlet]", raw)
        # They are OpenAI connections, shown and edited as such.
        config = json.loads(gw.get("/openai/config")[2])
        check(config["OPENAI_API_BASE_URLS"] == [openai.url, seed.base, tools.base] and
              config["OPENAI_API_CONFIGS"]["1"]["server_filters"] is True and
              config["OPENAI_API_CONFIGS"]["2"]["server_filters"] is True, config)
        metrics = gw.get("/metrics")[2].decode()
        check('filter="(server)"' in metrics, "no metrics for server-level filters")
    finally:
        check(gw.stop() == 0, gw.output())
        stop(openai, seed, tools)


if __name__ == "__main__":
    run_tests([test_filters_run_by_priority_for_the_models_they_name,
               test_a_pipe_model_is_told_who_asks_and_runs_its_own_inlet_last,
               test_a_presets_filters_see_it_as_the_client_sent_it_and_it_applies_once,
               test_a_refusing_filter_stops_the_request_with_its_status_and_detail,
               test_an_unreachable_or_broken_filter_fails_open_and_is_counted,
               test_outlet_filters_run_on_chat_completed,
               test_a_routing_filter_moves_the_request_to_another_model,
               test_a_client_that_leaves_during_a_slow_filter_cancels_it,
               test_the_admin_routes_manage_a_pipelines_server_and_refuse_others,
               test_a_filter_call_is_bounded_in_time_and_size,
               test_no_key_reaches_a_log_an_answer_or_another_server_at_trace_level,
               test_the_seed_forms_pipeline_servers_run_inlet_and_outlet_for_every_request])
