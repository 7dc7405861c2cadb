"""The record stage over real HTTP: with ACCESS_LOG on, every request becomes one JSON line
(who, route, model, connection, status, bytes, time to first byte, attempts, cancelled, duration)
in the access log; never a secret; nothing at all without it."""
import json
import os
import tempfile
import time

from harness import FakeUpstream, Gateway, check, run_tests, stream_chunks


def log_lines(path, count, timeout=10.0):
    deadline = time.time() + timeout
    while True:
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        if len(lines) >= count:
            return [json.loads(l) for l in lines]
        check(time.time() < deadline, f"{len(lines)} of {count} lines: {lines}")
        time.sleep(0.05)


def test_every_request_is_one_json_line_without_secrets():
    fake = FakeUpstream(models=["m"], name="A")
    path = os.path.join(tempfile.mkdtemp(prefix="sb-access-"), "access.log")
    gw = Gateway({"WEBUI_AUTH": "True", "ACCESS_LOG_FILE": path,
                  "OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "sk-upstream-canary"})
    try:
        status, _, raw = gw.post("/api/v1/auths/signup",
                                 {"name": "A", "email": "a@example.com", "password": "pw-canary"})
        admin = json.loads(raw)
        h = {"Authorization": f"Bearer {admin['token']}"}
        key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=h)[2])["api_key"]
        deadline = time.time() + 10
        while "m" not in [m["id"] for m in json.loads(gw.get("/openai/models", headers=h)[2])["data"]]:
            check(time.time() < deadline, "no models")
            time.sleep(0.05)
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        status, _, raw = gw.post("/openai/chat/completions", body,
                                 headers={"Authorization": f"Bearer {key}"})
        check(status == 200, raw)
        status, _, reads = stream_chunks(gw.port, "/openai/chat/completions",
                                         dict(body, stream=True, model="nope"))
        check(status == 401, status)  # no credentials
        check(gw.post("/openai/chat/completions", {"model": "nope"}, headers=h)[0] == 404, "404")
        lines = log_lines(path, 6)
        chat = [l for l in lines if l["route"] == "/openai/chat/completions" and l["status"] == 200]
        check(len(chat) == 1, lines)
        c = chat[0]
        check(c["method"] == "POST" and c["user_id"] == admin["id"] and
              c["api_key_id"] == f"key_{admin['id']}" and c["model"] == "m" and
              c["connection"] and c["attempts"] == 1 and c["bytes_in"] == len(json.dumps(body)) and
              c["bytes_out"] > 100 and 0 <= c["first_byte_us"] <= c["duration_us"] and
              c["cancelled"] is False and c["time"].endswith("Z"), c)
        missing = [l for l in lines if l["status"] == 404]
        check(missing and missing[0]["model"] is None and missing[0]["attempts"] == 0, lines)
        check(any(l["status"] == 401 and l["user_id"] is None for l in lines), lines)
        signup = [l for l in lines if l["route"] == "/api/v1/auths/signup"]
        check(signup and signup[0]["status"] == 200, lines)
        text = open(path).read()
        for secret in [key, admin["token"], "pw-canary", "sk-upstream-canary"]:
            check(secret not in text, "a secret reached the access log")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_requests_just_before_a_stop_are_still_logged():
    path = os.path.join(tempfile.mkdtemp(prefix="sb-access-"), "access.log")
    gw = Gateway({"ACCESS_LOG_FILE": path})
    try:
        for _ in range(5):
            check(gw.get("/health")[0] == 200, "health")
    finally:
        # At once: the records are still in their thread's batch, its window not yet over.
        check(gw.stop() == 0, gw.output())
    lines = open(path).read().splitlines() if os.path.exists(path) else []
    check(len(lines) == 5, lines)


def test_nothing_is_recorded_without_access_log():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url})
    try:
        gw.wait_for_models(["m"])
        check(gw.post("/openai/chat/completions", {"model": "m"})[0] == 200, "chat")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()
    check('"route":' not in gw.output(), "an access log line without ACCESS_LOG")


if __name__ == "__main__":
    run_tests([test_every_request_is_one_json_line_without_secrets,
               test_nothing_is_recorded_without_access_log])
