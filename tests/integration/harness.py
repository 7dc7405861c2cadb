"""Helpers for integration tests: run the real gateway binary on a free port against the project's
fake upstream (tests/support/fake_upstream.cpp) over loopback, and talk HTTP to both."""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ARGS = None
# Under AddressSanitizer (make test-sanitize) freed memory sits in quarantine and every allocation
# carries redzones: memory figures mean nothing there, so tests skip their memory assertions.
SANITIZED = bool(os.environ.get("ASAN_OPTIONS"))


def parse_args():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--gateway", required=True)
    p.add_argument("--fake", required=True)
    ARGS = p.parse_args()
    return ARGS


class Process:
    """A child process whose output is collected line by line in the background."""

    def __init__(self, argv, env=None, preexec_fn=None):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1, preexec_fn=preexec_fn)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for_line(self, pattern, timeout=10.0):
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None and not self.reader.is_alive():
                    raise AssertionError(f"no line matching {pattern!r}; output:\n" + "\n".join(self.lines))
                self.cond.wait(min(left, 0.1))

    def output(self):
        with self.cond:
            return "\n".join(self.lines)

    def stop(self, timeout=15.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("process did not exit within %.0f s of SIGTERM" % timeout)
        self.reader.join(5)
        return self.proc.returncode


class FakeUpstream(Process):
    def __init__(self, models, name, key=None, port=None, extra=()):
        argv = [ARGS.fake, "--models", ",".join(models), "--name", name, *extra]
        if key:
            argv += ["--key", key]
        if port:
            argv += ["--port", str(port)]
        super().__init__(argv)
        self.port = int(self.wait_for_line(r"^PORT (\d+)").group(1))
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.base = f"http://127.0.0.1:{self.port}"

    def stats(self):
        status, _, body = request(self.port, "GET", "/_stats")
        assert status == 200
        return json.loads(body)


class Gateway(Process):
    def __init__(self, env_extra, data_dir=None, args=(), preexec_fn=None):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="sb-it-")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OPENAI_", "OLLAMA_", "ENABLE_", "WEBUI_"))}
        # Single-user mode unless a test signs in (WEBUI_AUTH defaults to True, as in Open WebUI).
        env.update({"DATA_DIR": self.data_dir, "PORT": "0", "HOST": "127.0.0.1", "WEBUI_AUTH": "False",
                    "ENABLE_OLLAMA_API": "False", "MODELS_REFRESH_INTERVAL": "0.5",
                    "GLOBAL_LOG_LEVEL": "debug", "DRAIN_TIMEOUT": "5"})
        env.update(env_extra)
        super().__init__([ARGS.gateway, *args], env=env, preexec_fn=preexec_fn)
        self.port = int(self.wait_for_line(r"listening on [^:]+:(\d+)").group(1))

    def get(self, path, **kw):
        return request(self.port, "GET", path, **kw)

    def request_delete(self, path, headers=None):
        return request(self.port, "DELETE", path, headers=headers)

    def post(self, path, body, **kw):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return request(self.port, "POST", path, data, **kw)

    def wait_for_models(self, ids, timeout=10.0, path="/openai/models"):
        deadline = time.time() + timeout
        while True:
            status, _, body = self.get(path)
            have = [m["id"] for m in json.loads(body)["data"]] if status == 200 else []
            if all(i in have for i in ids):
                return have
            if time.time() > deadline:
                raise AssertionError(f"models {ids} not listed; have {have}")
            time.sleep(0.05)


_held_ports = []


def refused_port():
    """A loopback port where connections are refused, for as long as the tests run.

    The socket stays bound but never listens: a port merely closed again is free for the kernel to
    hand to the next process that binds port 0, which has been the gateway under test itself (its
    own 404 then came back through the "dead" connection)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _held_ports.append(s)
    return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=10.0):
    """One request on a fresh connection; returns (status, headers dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, hdrs, data


def stream_chunks(port, path, body, timeout=10.0):
    """POSTs and returns the response status, headers and the list of raw reads as they arrived."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    reads = []
    while True:
        piece = r.read1(65536)
        if not piece:
            break
        reads.append(piece)
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, reads


def raw_exchange(port, data, timeout=5):
    """Sends raw bytes on a fresh connection and returns everything read until the server closes."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    try:
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            out += piece
    except OSError:
        pass
    s.close()
    return out


def metric(gw, name):
    """The value of an unlabelled metric, or the first labelled series of it (0 when absent)."""
    for line in gw.get("/metrics")[2].decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def in_parallel(fn, n, timeout=20):
    """Runs fn() n times at once on threads and waits for all of them."""
    threads = [threading.Thread(target=fn) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)


def sse_events(raw):
    return [e for e in raw.decode().split("\n\n") if e.strip()]


def sign_up(gw, name, admin_headers=None):
    """The first caller signs up (the admin); with `admin_headers` an admin adds a user, who then
    signs in. Returns the user's JSON and their bearer headers."""
    body = {"name": name, "email": f"{name}@example.com", "password": "pw-" + name}
    if admin_headers:
        status, _, raw = gw.post("/api/v1/auths/add", dict(body, role="user"), headers=admin_headers)
        check(status == 200, raw)
        status, _, raw = gw.post("/api/v1/auths/signin", {"email": body["email"],
                                                          "password": body["password"]})
    else:
        status, _, raw = gw.post("/api/v1/auths/signup", body)
    check(status == 200, raw)
    user = json.loads(raw)
    return user, {"Authorization": f"Bearer {user['token']}"}


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def run_tests(tests):
    """Runs test functions, prints one line each and the closing 'N passed, N failed' line."""
    parse_args()
    passed = failed = 0
    for t in tests:
        start = time.time()
        try:
            t()
            passed += 1
            print(f"PASS {t.__name__} ({time.time() - start:.2f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}", flush=True)
            traceback.print_exc()
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


class cluster:
    """Context manager: fake upstreams plus a gateway pointed at them; cleans up everything."""

    def __init__(self, upstreams, env=None, data_dir=None):
        self.specs = upstreams
        self.env = env or {}
        self.data_dir = data_dir
        self.fakes = []
        self.gw = None

    def __enter__(self):
        try:
            for spec in self.specs:
                self.fakes.append(FakeUpstream(**spec))
            env = {"OPENAI_API_BASE_URLS": ";".join(f.url for f in self.fakes),
                   "OPENAI_API_KEYS": ";".join(s.get("key") or "" for s in self.specs)}
            env.update(self.env)
            self.gw = Gateway(env, self.data_dir)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        rc = self.gw.stop() if self.gw else 0
        for f in self.fakes:
            f.stop()
        if self.gw and self.data_dir is None:
            shutil.rmtree(self.gw.data_dir, ignore_errors=True)
        if exc[0] is None and rc != 0:
            raise AssertionError(f"gateway exited with {rc}; output:\n{self.gw.output()}")
        return False
