"""Configuration over HTTP (Open WebUI's /openai/config shapes), persistence across restarts, and
the process lifecycle: flags, bad values, SIGTERM."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import harness
from harness import FakeUpstream, Gateway, check, cluster, run_tests, stream_chunks, request



def without_ids(configs):
    """The config entries as set, without the connection ids the gateway shows in them."""
    return {k: {f: v for f, v in e.items() if f != "connection_id"} for k, e in configs.items()}

def test_config_update_takes_effect_and_survives_restart():
    data = tempfile.mkdtemp(prefix="sb-it-")
    extra = FakeUpstream(models=["late-model"], name="L", key="sk-late-key-000111")
    try:
        with cluster([dict(models=["gpt-a"], name="A")], data_dir=data) as c:
            c.gw.wait_for_models(["gpt-a"])
            status, _, raw = c.gw.get("/openai/config")
            check(status == 200, raw)
            cfg = json.loads(raw)
            check(set(cfg) == {"ENABLE_OPENAI_API", "OPENAI_API_BASE_URLS", "OPENAI_API_KEYS",
                               "OPENAI_API_CONFIGS"}, cfg)
            cfg["OPENAI_API_BASE_URLS"].append(extra.url)
            cfg["OPENAI_API_KEYS"].append("sk-late-key-000111")
            cfg["OPENAI_API_CONFIGS"] = {"1": {"prefix_id": "late"}}
            status, _, raw = c.gw.post("/openai/config/update", cfg)
            check(status == 200, raw)
            out = json.loads(raw)
            check(out["OPENAI_API_KEYS"][1] == "****0111", out)  # masked on the way back
            check(without_ids(out["OPENAI_API_CONFIGS"]) == {"0": {}, "1": {"prefix_id": "late"}}, out)
            # No restart: the new connection's models appear and route (its key was stored).
            c.gw.wait_for_models(["gpt-a", "late.late-model"])
            status, _, raw = c.gw.post("/openai/chat/completions", {"model": "late.late-model"})
            check(status == 200, raw)
            # Echoing the masked key back keeps the real one.
            status, _, raw = c.gw.post("/openai/config/update", json.loads(c.gw.get("/openai/config")[2]))
            check(status == 200, raw)
            # (The upstream answers 401 to any other key, so a wrong one would never turn 200.)
            deadline = time.time() + 5
            while c.gw.post("/openai/chat/completions", {"model": "late.late-model"})[0] != 200:
                check(time.time() < deadline, "the echoed mask did not keep the key")
                time.sleep(0.05)
        # Restart on the same data dir with different env: the stored config wins.
        env = {"OPENAI_API_BASE_URLS": "http://127.0.0.1:9/v1"}
        gw = Gateway(env, data)
        try:
            gw.wait_for_models(["late.late-model"])
            status, _, raw = gw.get("/openai/config")
            check(json.loads(raw)["OPENAI_API_BASE_URLS"][1] == extra.url, raw)
            status, _, raw = gw.post("/openai/chat/completions", {"model": "late.late-model"})
            check(status == 200, raw)
        finally:
            check(gw.stop() == 0, "gateway did not exit 0 on SIGTERM")
        # RESET_CONFIG_ON_START re-seeds from the environment.
        gw = Gateway(dict(env, RESET_CONFIG_ON_START="true"), data)
        try:
            status, _, raw = gw.get("/openai/config")
            check(json.loads(raw)["OPENAI_API_BASE_URLS"] == ["http://127.0.0.1:9/v1"], raw)
        finally:
            gw.stop()
    finally:
        extra.stop()
        shutil.rmtree(data, ignore_errors=True)


def test_in_place_settings_reach_every_reader_and_a_replaced_connection_is_released():
    b = FakeUpstream(models=["gpt-b"], name="B")
    try:
        with cluster([dict(models=["gpt-a"], name="A")]) as c:
            a = c.fakes[0]
            c.gw.wait_for_models(["gpt-a"])
            for _ in range(3):
                check(c.gw.post("/openai/chat/completions", {"model": "gpt-a"})[0] == 200, "chat")
            # (Counted while answering /_stats: that request's own connection is one.)
            check(a.stats()["open_connections"] >= 2, "no pooled connection to A")
            # Weight, priority and prefix change in place (same connection): the admin view and
            # routing read them at once.
            cfg = json.loads(c.gw.get("/openai/config")[2])
            cfg["OPENAI_API_CONFIGS"] = {"0": {"weight": 7, "priority": 3, "prefix_id": "pa"}}
            status, _, raw = c.gw.post("/openai/config/update", cfg)
            check(status == 200, raw)
            c.gw.wait_for_models(["pa.gpt-a"])
            up = json.loads(c.gw.get("/gateway/upstreams")[2])["upstreams"][0]
            check(up["weight"] == 7 and up["priority"] == 3, up)
            # The connection moves to another URL: the old endpoint and its pooled sockets go.
            cfg["OPENAI_API_BASE_URLS"] = [b.url]
            status, _, raw = c.gw.post("/openai/config/update", cfg)
            check(status == 200, raw)
            c.gw.wait_for_models(["pa.gpt-b"])
            deadline = time.time() + 10
            while a.stats()["open_connections"] > 1:
                check(time.time() < deadline, ("A's pooled connections were never closed", a.stats()))
                time.sleep(0.05)
    finally:
        b.stop()


def test_acknowledged_config_survives_kill_9():
    data = tempfile.mkdtemp(prefix="sb-it-")
    try:
        gw = Gateway({"OPENAI_API_BASE_URLS": "http://127.0.0.1:9/v1"}, data)
        form = {"OPENAI_API_BASE_URLS": ["http://127.0.0.1:9/v1", "http://127.0.0.1:10/v1"],
                "OPENAI_API_KEYS": ["", "sk-after-kill-9999"], "OPENAI_API_CONFIGS": {"1": {"prefix_id": "k"}}}
        status, _, raw = gw.post("/openai/config/update", form)
        check(status == 200, raw)
        gw.proc.kill()  # no drain, no clean close of the database
        gw.proc.wait()
        gw = Gateway({}, data)
        try:
            cfg = json.loads(gw.get("/openai/config")[2])
            check(cfg["OPENAI_API_BASE_URLS"] == form["OPENAI_API_BASE_URLS"], cfg)
            check(cfg["OPENAI_API_KEYS"][1] == "****9999" and without_ids(cfg["OPENAI_API_CONFIGS"]) == {"0": {}, "1": {"prefix_id": "k"}}, cfg)
        finally:
            gw.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_config_update_rejects_bad_forms():
    with cluster([dict(models=["gpt-a"], name="A")]) as c:
        for body in ['not json', {"OPENAI_API_BASE_URLS": "http://x"},
                     {"OPENAI_API_BASE_URLS": ["gopher://x"]},
                     {"OPENAI_API_BASE_URLS": ["http://x/v1"], "OPENAI_API_KEYS": [1]}]:
            status, _, raw = c.gw.post("/openai/config/update", body)
            check(status == 400 and json.loads(raw)["error"]["message"], (body, status, raw))
        status, _, raw = c.gw.get("/openai/config")
        check(len(json.loads(raw)["OPENAI_API_BASE_URLS"]) == 1, raw)


def test_disabling_openai_empties_the_list():
    with cluster([dict(models=["gpt-a"], name="A")]) as c:
        c.gw.wait_for_models(["gpt-a"])
        cfg = json.loads(c.gw.get("/openai/config")[2])
        cfg["ENABLE_OPENAI_API"] = False
        check(c.gw.post("/openai/config/update", cfg)[0] == 200, "update failed")
        deadline = time.time() + 5
        while json.loads(c.gw.get("/openai/models")[2])["data"] and time.time() < deadline:
            time.sleep(0.05)
        check(json.loads(c.gw.get("/openai/models")[2])["data"] == [], "models still listed")
        check(c.gw.post("/openai/chat/completions", {"model": "gpt-a"})[0] == 404, "still routed")


class Prober:
    """Asks for a model without pause from a background thread and counts the answers."""

    def __init__(self, gw, model):
        self.gw, self.model = gw, model
        self.statuses, self.bodies = [], []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            status, _, raw = self.gw.post("/openai/chat/completions", {"model": self.model})
            self.statuses.append(status)
            self.bodies.append(raw)

    def stop(self):
        self.running = False
        self.thread.join(10)
        return self.statuses


def test_config_updates_never_make_models_404():
    # Upstreams whose model list is slow: a connection that is replaced must keep serving its
    # old list until the new one has its own, and a tag-only change must not touch routing at all.
    # B's list takes 3 s, so it is provably still on its way when the connection is disabled.
    a = FakeUpstream(models=["m"], name="A", extra=["--list-delay", "1500"])
    b = FakeUpstream(models=["m"], name="B", extra=["--list-delay", "3000"])
    gw = Gateway({"OPENAI_API_BASE_URLS": a.url, "MODELS_REFRESH_INTERVAL": "60"})
    b_stats_calls = [0]

    def b_stats():
        b_stats_calls[0] += 1  # the fake counts its own /_stats requests in "requests"
        return b.stats()

    def b_list_gets(s):  # requests to B that were neither chats nor our /_stats calls
        return s["requests"] - s["chat_requests"] - b_stats_calls[0]

    try:
        gw.wait_for_models(["m"], timeout=10)
        probe = Prober(gw, "m")
        cfg = json.loads(gw.get("/openai/config")[2])
        for i in range(300):
            cfg["OPENAI_API_CONFIGS"] = {"0": {"tags": [{"name": f"t{i}"}]}}
            status, _, raw = gw.post("/openai/config/update", cfg)
            check(status == 200, raw)
        check(b'"t299"' in gw.get("/openai/models")[2], "the last tags are not shown at once")
        cfg["OPENAI_API_BASE_URLS"] = [b.url]  # replaced: its list takes 3 s to arrive
        replaced_at = time.time()  # B cannot have received its list request before this
        check(gw.post("/openai/config/update", cfg)[0] == 200, "update failed")
        deadline = time.time() + 10
        while b"B:tok0" not in (probe.bodies[-1] if probe.bodies else b""):
            check(time.time() < deadline, "requests never moved to the new URL")
            time.sleep(0.05)
        statuses = probe.stop()
        check(len(statuses) > 50 and set(statuses) == {200},
              f"{statuses.count(404)} of {len(statuses)} probes got 404; others {set(statuses)}")
        # Disabled stays disabled: the list already on its way must not bring the model back.
        deadline = time.time() + 5
        while b_list_gets(b_stats()) < 1:  # B holds the gateway's list request
            check(time.time() < deadline, "the new connection never asked B for its list")
            time.sleep(0.02)
        cfg["ENABLE_OPENAI_API"] = False
        check(gw.post("/openai/config/update", cfg)[0] == 200, "update failed")
        # B answers 3 s after receiving the request, received after replaced_at: a disable
        # acknowledged within 3 s of replaced_at came while B's list was still unanswered.
        check(time.time() - replaced_at < 2.5,
              "set-up too slow: B's list may have arrived before the disable; nothing tested")
        deadline = time.time() + 5
        while gw.post("/openai/chat/completions", {"model": "m"})[0] != 404:
            check(time.time() < deadline, "the disabled connection still routes")
            time.sleep(0.05)
        gw.post("/openai/config/update", dict(cfg))  # another write; nothing may come back
        # The event that matters: every connection from the gateway to B has closed, so B's list
        # was delivered (its answer comes 3 s after the request) or abandoned; nothing from B is
        # still on its way. Meanwhile, and for a while after, the model must stay gone.
        deadline = time.time() + 10
        while True:
            s = b_stats()
            check(gw.post("/openai/chat/completions", {"model": "m"})[0] == 404, "the model came back")
            if s["open_connections"] == 1:  # the one carrying this /_stats request
                break
            check(time.time() < deadline, f"the gateway never let go of B: {s}")
            time.sleep(0.05)
        settle = time.time() + 0.5  # the list's last hops (fetch callback, actor, catalog) are in-process
        while time.time() < settle:
            check(gw.post("/openai/chat/completions", {"model": "m"})[0] == 404, "the model came back")
            check(json.loads(gw.get("/openai/models")[2])["data"] == [], "the model is listed again")
        check(b_list_gets(b_stats()) == 1, "the disabled connection asked B for its list again")
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


def run_gateway(args, env):
    full = {k: v for k, v in os.environ.items()}
    full.update(env)
    return subprocess.run([harness.ARGS.gateway, *args], env=full, capture_output=True, text=True, timeout=30)


def test_bad_startup_values_exit_2_with_a_message():
    data = tempfile.mkdtemp(prefix="sb-it-")
    try:
        for args, env, needle in [(["--port", "99999"], {}, "invalid port"),
                                  ([], {"PORT": "eighty"}, "invalid port"),
                                  ([], {"GLOBAL_LOG_LEVEL": "shouty"}, "invalid log level"),
                                  (["--frobnicate"], {}, "unknown argument"),
                                  ([], {"FORWARD_USER_INFO_HEADER_USER_ID": "X-Id\r\nX-Evil: 1"},
                                   "invalid FORWARD_USER_INFO_HEADER_USER_ID"),
                                  ([], {"FORWARD_SESSION_INFO_HEADER_CHAT_ID": "Content-Length"},
                                   "invalid FORWARD_SESSION_INFO_HEADER_CHAT_ID"),
                                  ([], {"OPENAI_API_CONFIGS": "[1]", "DATA_DIR": data}, "OPENAI_API_CONFIGS"),
                                  (["--host", "not-an-ip", "--port", "0"], {"DATA_DIR": data}, "invalid host")]:
            r = run_gateway(args, env)
            check(r.returncode == 2, (args, env, r.returncode, r.stdout, r.stderr))
            check(needle in r.stderr + r.stdout, (needle, r.stdout, r.stderr))
            check("Segmentation" not in r.stderr and "terminate called" not in r.stderr, r.stderr)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_missing_default_ollama_is_not_fatal_and_sigterm_drains():
    # Open WebUI's defaults: Ollama at localhost:11434 (absent here) and api.openai.com (unreachable).
    gw = Gateway({"ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": "http://127.0.0.1:1",
                  "OPENAI_API_BASE_URLS": "http://127.0.0.1:1/v1"})
    try:
        # Both defaults were tried and failed, and the gateway lives on.
        gw.wait_for_line(r"ollama connection 0 model list failed")
        gw.wait_for_line(r"openai connection 0 model list failed")
        status, _, raw = gw.get("/health")
        check(status == 200, raw)
        check(gw.proc.poll() is None, "gateway died")
    finally:
        check(gw.stop() == 0, gw.output())
    # A stream in flight when SIGTERM arrives is finished before the process exits 0. The stream
    # takes half a second (100 ms between chunks), so the signal surely lands in the middle of it.
    slow = "m+chunk_delay:100"
    with cluster([dict(models=["m"], name="A")],
                 env={"OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": [slow]}})}) as c:
        c.gw.wait_for_models([slow])
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", c.gw.port, timeout=10)
        conn.request("POST", "/openai/chat/completions",
                     body=json.dumps({"model": slow, "stream": True}), headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        first = r.read1(65536)
        check(b"[DONE]" not in first, "the stream ended before the signal: nothing was in flight")
        c.gw.proc.send_signal(signal.SIGTERM)
        rest = r.read()
        check((first + rest).rstrip().endswith(b"data: [DONE]"), first + rest)
        check(c.gw.proc.wait(10) == 0, "no clean exit")


def test_sigterm_right_after_listening_drains_instead_of_killing():
    # The handler used to be installed after the "listening" line: a supervisor that stopped the
    # gateway at once killed it about half the time (exit -15, no drain).
    for _ in range(20):
        gw = Gateway({"OPENAI_API_BASE_URLS": "http://127.0.0.1:9/v1"})
        gw.proc.send_signal(signal.SIGTERM)
        rc = gw.proc.wait(10)
        shutil.rmtree(gw.data_dir, ignore_errors=True)
        check(rc == 0, f"exit {rc}")


if __name__ == "__main__":
    run_tests([test_config_update_takes_effect_and_survives_restart,
               test_in_place_settings_reach_every_reader_and_a_replaced_connection_is_released, test_acknowledged_config_survives_kill_9,
               test_config_update_rejects_bad_forms,
               test_disabling_openai_empties_the_list, test_config_updates_never_make_models_404,
               test_bad_startup_values_exit_2_with_a_message,
               test_missing_default_ollama_is_not_fatal_and_sigterm_drains,
               test_sigterm_right_after_listening_drains_instead_of_killing])
