"""https:// upstreams: certificates verified against the system store (here: SSL_CERT_FILE pointing
at a test CA), and AIOHTTP_CLIENT_SESSION_SSL=False turning verification off, as in Open WebUI.
A small TLS terminator in this test fronts the plain fake upstream."""
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading

from harness import FakeUpstream, Gateway, check, run_tests, stream_chunks


class TlsFront:
    """Accepts TLS on a free port and pipes each connection to a plain upstream port."""

    def __init__(self, target_port, cert, key):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.target = target_port
        self.handshakes_failed = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def wait_for_failed_handshake(self, timeout=5.0):
        with self.cond:
            return self.cond.wait_for(lambda: self.handshakes_failed >= 1, timeout)

    def _accept(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            with self.cond:
                self.handshakes_failed += 1
                self.cond.notify_all()
            return
        up = socket.create_connection(("127.0.0.1", self.target))

        def pipe(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pipe, args=(up, tls), daemon=True).start()
        pipe(tls, up)

    def close(self):
        self.listener.close()


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def run_case(env_extra, expect_ok):
    d = tempfile.mkdtemp(prefix="sb-tls-")
    fake = FakeUpstream(models=["secure-model"], name="T", key="sk-tls-1234")
    front = None
    gw = None
    try:
        cert, key = make_cert(d)
        front = TlsFront(fake.port, cert, key)
        env = {"OPENAI_API_BASE_URLS": f"https://127.0.0.1:{front.port}/v1", "OPENAI_API_KEYS": "sk-tls-1234"}
        env.update({k: (v.replace("{cert}", cert)) for k, v in env_extra.items()})
        gw = Gateway(env)
        if expect_ok:
            gw.wait_for_models(["secure-model"])
            status, _, reads = stream_chunks(gw.port, "/openai/chat/completions",
                                             {"model": "secure-model", "stream": True})
            body = b"".join(reads)
            check(status == 200 and body.rstrip().endswith(b"data: [DONE]") and b"T:tok4" in body, body)
        else:
            gw.wait_for_line(r"model list failed", timeout=5)
            status, _, raw = gw.get("/openai/models")
            check(json.loads(raw)["data"] == [], raw)
            # Counted by the front's own thread: wait for it rather than read it early.
            check(front.wait_for_failed_handshake(), "the gateway completed a handshake with an untrusted cert")
    finally:
        if gw:
            check(gw.stop() == 0, gw.output())
        if front:
            front.close()
        fake.stop()
        shutil.rmtree(d, ignore_errors=True)


def test_tls_verified_against_the_trust_store():
    run_case({"SSL_CERT_FILE": "{cert}"}, expect_ok=True)


def test_untrusted_certificate_is_refused():
    run_case({}, expect_ok=False)


def test_verification_can_be_turned_off():
    run_case({"AIOHTTP_CLIENT_SESSION_SSL": "False"}, expect_ok=True)


if __name__ == "__main__":
    run_tests([test_tls_verified_against_the_trust_store, test_untrusted_certificate_is_refused,
               test_verification_can_be_turned_off])
