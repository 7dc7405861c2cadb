"""Keys stay secret: a mask never carries a stored key to a new host, GET /openai/config shows no
credential in clear, an upstream's error never carries one back, a connection's own headers replace
rather than repeat. And the admin surface resists the web: no cross-site config writes, no cloud
metadata upstreams, a data directory only its owner can read."""
import json
import os
import stat

from harness import FakeUpstream, Gateway, check, run_tests
from scripted_upstream import ScriptedUpstream

KEY = "sk-secret-key-1234-5678"


def completion_handler(up, conn, req):
    if req.method != "POST":
        return None
    conn.sendall(up.json_answer(200, up.completion("ok")))
    return True


def update(gw, cfg, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return gw.post("/openai/config/update", json.dumps(cfg), headers=h)


def test_metrics_need_an_admin_or_the_metrics_key_under_webui_auth():
    # /metrics names every upstream's host and port: anonymous callers read it only when every
    # caller is the admin anyway (WEBUI_AUTH=False).
    fake = FakeUpstream(models=["m"], name="A")
    key = "metrics-token-0123456789"
    for auth, expect_open in [("True", False), ("False", True)]:
        gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "WEBUI_AUTH": auth, "METRICS_API_KEY": key})
        try:
            status, _, raw = gw.get("/metrics")
            check((status == 200) == expect_open, (auth, status, raw[:200]))
            check(expect_open or b"127.0.0.1" not in raw, raw[:300])
            status, _, raw = gw.get("/metrics", headers={"Authorization": "Bearer " + key})
            check(status == 200 and b"switchboard_" in raw, (auth, status))
            status, _, _ = gw.get("/metrics", headers={"Authorization": "Bearer " + key[:-1] + "X"})
            check((status == 200) == expect_open, (auth, "a wrong key", status))
            check(gw.get("/health")[0] == 200, "health is for anyone")
        finally:
            check(gw.stop() == 0, gw.output())
            check(key not in gw.output(), "the metrics key was logged")
    fake.stop()


def test_masked_key_is_never_sent_to_a_new_url():
    home = ScriptedUpstream(completion_handler)
    thief = ScriptedUpstream(completion_handler)
    gw = Gateway({"OPENAI_API_BASE_URLS": home.url, "OPENAI_API_KEYS": KEY})
    try:
        gw.wait_for_models(["m"])
        cfg = json.loads(gw.get("/openai/config")[2])
        check(cfg["OPENAI_API_KEYS"] == ["****5678"], cfg)
        cfg["OPENAI_API_BASE_URLS"] = [thief.url]  # the mask echoed with a new URL
        status, _, raw = update(gw, cfg)
        check(status == 400 and b"URL changed" in raw, (status, raw))
        # Two connections: the mask of connection 0 offered for a new connection 1 elsewhere.
        cfg = {"OPENAI_API_BASE_URLS": [home.url, thief.url], "OPENAI_API_KEYS": ["****5678", "****5678"]}
        status, _, raw = update(gw, cfg)
        check(status == 400 and b"matches no stored key" in raw, (status, raw))
        check(json.loads(gw.get("/openai/config")[2])["OPENAI_API_BASE_URLS"] == [home.url], "config changed")
        # Nothing ever reached the other host with the key.
        check(all(KEY not in json.dumps(r.headers) for r in thief.requests), thief.requests)
        # The same echo at the same URL keeps the key.
        status, _, raw = update(gw, json.loads(gw.get("/openai/config")[2]))
        check(status == 200, raw)
        gw.post("/openai/chat/completions", {"model": "m"})
        check(home.requests[-1].header_values("Authorization") == ["Bearer " + KEY], home.requests[-1].headers)
    finally:
        check(gw.stop() == 0, gw.output())
        home.close()
        thief.close()


def test_get_config_masks_header_values_and_url_credentials_and_the_query_is_forwarded():
    up = ScriptedUpstream(completion_handler)
    url = f"http://user:url-password-999@127.0.0.1:{up.port}/v1?key=query-secret-777&mode=x"
    configs = {"0": {"headers": {"api-key": "header-secret-555", "X-Title": "visible"}}}
    gw = Gateway({"OPENAI_API_BASE_URLS": url, "OPENAI_API_CONFIGS": json.dumps(configs)})
    try:
        gw.wait_for_models(["m"])
        status, _, raw = gw.get("/openai/config")
        text = raw.decode()
        for secret in ["url-password-999", "query-secret-777", "header-secret-555"]:
            check(secret not in text, text)
        check("visible" in text and "mode=x" in text, text)
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"})
        check(status == 200, raw)
        req = up.requests[-1]
        check(req.target == "/v1/chat/completions?key=query-secret-777&mode=x", req.target)
        check(req.header_values("api-key") == ["header-secret-555"], req.headers)
        # Echoing the whole masked form back keeps every secret.
        status, _, raw = update(gw, json.loads(text))
        check(status == 200, raw)
        gw.post("/openai/chat/completions", {"model": "m"})
        req = up.requests[-1]
        check(req.target == "/v1/chat/completions?key=query-secret-777&mode=x", req.target)
        check(req.header_values("api-key") == ["header-secret-555"], req.headers)
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()
    for secret in ["url-password-999", "query-secret-777", "header-secret-555"]:
        check(secret not in gw.output(), "a secret reached the log")


def test_upstream_error_quoting_the_key_is_scrubbed_and_capped():
    def handler(up, conn, req):
        if req.method != "POST":
            return None
        echoed = req.header_values("Authorization")[0]
        err = {"error": {"message": f"Incorrect API key provided: {echoed}. Also sk-proj-abcdefghijklmnop "
                                    f"and {KEY[3:]} and https://x/?api_key=zzzsecretzzz "
                                    f"and the token custom-header-token-777",
                         "type": "invalid_request_error", "code": "invalid_api_key",
                         "junk": "x" * 5_000_000}}
        conn.sendall(up.json_answer(401, err))
        return True

    up = ScriptedUpstream(handler)
    configs = {"0": {"headers": {"X-Api-Token": "Bearer custom-header-token-777"}}}
    gw = Gateway({"OPENAI_API_BASE_URLS": up.url, "OPENAI_API_KEYS": KEY,
                  "OPENAI_API_CONFIGS": json.dumps(configs)})
    try:
        gw.wait_for_models(["m"])
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"})
        check(status == 401, (status, raw[:300]))
        check(len(raw) < 8192, f"{len(raw)} bytes of upstream error passed on")
        text = raw.decode()
        for secret in [KEY, KEY[3:], "abcdefghijklmnop", "zzzsecretzzz", "custom-header-token-777"]:
            check(secret not in text, text)
        err = json.loads(raw)
        check(err["error"]["code"] == "invalid_api_key" and "Incorrect API key" in err["detail"], err)
        check("junk" not in err["error"], err)
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()
    check(KEY not in gw.output(), "the key reached the log")


def test_connection_headers_replace_same_named_ones():
    up = ScriptedUpstream(completion_handler)
    configs = {"0": {"headers": {"authorization": "Bearer from-headers", "Accept": "application/x-custom"}}}
    gw = Gateway({"OPENAI_API_BASE_URLS": up.url, "OPENAI_API_KEYS": KEY,
                  "OPENAI_API_CONFIGS": json.dumps(configs)})
    try:
        gw.wait_for_models(["m"])
        gw.post("/openai/chat/completions", {"model": "m"}, headers={"Accept": "text/event-stream"})
        req = up.requests[-1]
        check(req.header_values("Authorization") == ["Bearer from-headers"], req.headers)
        check(req.header_values("Accept") == ["application/x-custom"], req.headers)
        status, _, raw = update(gw, {"OPENAI_API_BASE_URLS": [up.url],
                                     "OPENAI_API_CONFIGS": {"0": {"headers": {"Content-Length": "0"}}}})
        check(status == 400 and b"Content-Length" in raw, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        up.close()


def test_config_writes_need_json_and_refuse_foreign_origins():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "HOST": "0.0.0.0", "ALLOWED_HOSTS": "chat.example"})
    try:
        gw.wait_for_models(["m"])
        gw.wait_for_line("single-user mode .* not a loopback address")
        cfg = json.dumps({"OPENAI_API_BASE_URLS": ["http://127.0.0.1:9/v1"]})
        status, _, raw = gw.post("/openai/config/update", cfg, headers={"Content-Type": "text/plain"})
        check(status == 415, (status, raw))
        status, _, raw = gw.post("/openai/config/update", cfg,
                                 headers={"Content-Type": "application/json", "Origin": "https://evil.example"})
        check(status == 403, (status, raw))
        status, _, raw = gw.post("/openai/config/update", cfg,
                                 headers={"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"})
        check(status == 403, (status, raw))
        # DNS rebinding: evil.example now resolves here; its page is same-origin with itself.
        status, _, raw = gw.post("/openai/config/update", cfg, headers={
            "Content-Type": "application/json", "Host": f"evil.example:{gw.port}",
            "Origin": f"http://evil.example:{gw.port}"})
        check(status == 403, (status, raw))
        check(json.loads(gw.get("/openai/config")[2])["OPENAI_API_BASE_URLS"] == [fake.url], "config changed")
        # A name the admin listed in ALLOWED_HOSTS (a reverse proxy's) is the gateway's own.
        status, _, raw = gw.post("/openai/config/update", json.dumps({"OPENAI_API_BASE_URLS": [fake.url]}), headers={
            "Content-Type": "application/json", "Host": f"chat.example:{gw.port}",
            "Origin": f"http://chat.example:{gw.port}"})
        check(status == 200, (status, raw))
        # The gateway's own origin (its admin page) and non-browser clients may write.
        status, _, raw = gw.post("/openai/config/update", cfg, headers={
            "Content-Type": "application/json; charset=utf-8", "Origin": f"http://127.0.0.1:{gw.port}"})
        check(status == 200, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_link_local_and_metadata_upstreams_are_refused_unless_allowed():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url})
    try:
        for url in ["http://169.254.169.254/latest/meta-data", "http://2852039166/", "http://0xa9fea9fe/",
                    "http://[::ffff:169.254.169.254]/", "http://metadata.google.internal/v1"]:
            status, _, raw = update(gw, {"OPENAI_API_BASE_URLS": [url]})
            check(status == 400 and b"ALLOW_LINK_LOCAL_UPSTREAMS" in raw, (url, status, raw))
        status, _, raw = update(gw, {"OPENAI_API_BASE_URLS": ["http://10.1.2.3:11434/v1", fake.url]})
        check(status == 200, raw)  # private networks stay allowed
    finally:
        check(gw.stop() == 0, gw.output())
    gw = Gateway({"OPENAI_API_BASE_URLS": "http://169.254.169.254/v1"})
    try:
        gw.wait_for_line("refused")
        gw.wait_for_line("listening")
    finally:
        check(gw.stop() == 0, gw.output())
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "ALLOW_LINK_LOCAL_UPSTREAMS": "true"})
    try:
        status, _, raw = update(gw, {"OPENAI_API_BASE_URLS": ["http://169.254.169.254/v1"]})
        check(status == 200, raw)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_data_directory_is_readable_by_its_owner_only():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": KEY})
    try:
        gw.wait_for_models(["m"])
        update(gw, json.loads(gw.get("/openai/config")[2]))
        for root, dirs, files in os.walk(gw.data_dir):
            mode = stat.S_IMODE(os.stat(root).st_mode)
            check(mode & 0o077 == 0, f"{root} is {oct(mode)}")
            for f in files:
                mode = stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode)
                check(mode & 0o077 == 0, f"{os.path.join(root, f)} is {oct(mode)}")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


if __name__ == "__main__":
    run_tests([
        test_metrics_need_an_admin_or_the_metrics_key_under_webui_auth,
        test_masked_key_is_never_sent_to_a_new_url,
        test_get_config_masks_header_values_and_url_credentials_and_the_query_is_forwarded,
        test_upstream_error_quoting_the_key_is_scrubbed_and_capped,
        test_connection_headers_replace_same_named_ones,
        test_config_writes_need_json_and_refuse_foreign_origins,
        test_link_local_and_metadata_upstreams_are_refused_unless_allowed,
        test_data_directory_is_readable_by_its_owner_only,
    ])
