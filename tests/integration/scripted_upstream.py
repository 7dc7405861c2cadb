"""An upstream whose answers a test writes byte for byte: interim 1xx answers, answers nobody asked
for, closes without an answer, error bodies quoting credentials. It records every request it
receives (raw head lines, so duplicated headers show). GET .../models is answered with `models`
unless the handler answers it.

    def handler(up, conn, req):   # req: Request; write to conn (a socket); return False to close
        conn.sendall(up.json_answer(200, {...}))
        return True
"""
import json
import socket
import threading


class Request:
    def __init__(self, method, target, version, headers, body, conn_no):
        self.method, self.target, self.version = method, target, version
        self.headers = headers  # list of (name, value) as received
        self.body = body
        self.conn_no = conn_no  # which upstream connection carried it (1, 2, ...)

    def header_values(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)


class ScriptedUpstream:
    def __init__(self, handler, models=("m",), backlog=64):
        self.handler = handler
        self.models = list(models)
        self.requests = []
        self.connections = 0
        self.counters = {}
        self.cond = threading.Condition()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.accepting = True
        self.open = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    # What tests use to build answers.
    @staticmethod
    def json_answer(status, obj, extra_headers=""):
        body = json.dumps(obj).encode()
        reason = {200: "OK", 401: "Unauthorized", 500: "Internal Server Error"}.get(status, "X")
        return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n{extra_headers}\r\n").encode() + body

    @staticmethod
    def completion(content):
        return {"id": "c", "object": "chat.completion", "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}]}

    def bump(self, name):
        with self.cond:
            self.counters[name] = self.counters.get(name, 0) + 1
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0, what="condition"):
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(f"scripted upstream: {what} not reached within {timeout} s")

    def stop_accepting(self):
        """Stops calling accept(): once the listen backlog is full, connects hang (SYNs dropped)."""
        self.accepting = False

    def close(self):
        self.accepting = False
        try:
            self.sock.close()
        except OSError:
            pass
        for c in list(self.open):
            try:
                c.close()
            except OSError:
                pass

    def _accept(self):
        while True:
            if not self.accepting:
                threading.Event().wait(0.02)
                if self.sock.fileno() < 0:
                    return
                continue
            try:
                self.sock.settimeout(0.05)
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self.cond:
                self.connections += 1
                no = self.connections
                self.open.append(conn)
                self.cond.notify_all()
            threading.Thread(target=self._serve, args=(conn, no), daemon=True).start()

    def _serve(self, conn, no):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:] if ":" in l]
                length = 0
                for n, v in headers:
                    if n.lower() == "content-length":
                        length = int(v)
                while len(buf) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                body, buf = buf[:length], buf[length:]
                req = Request(method, target, version, headers, body, no)
                with self.cond:
                    self.requests.append(req)
                    self.cond.notify_all()
                keep = self.handler(self, conn, req) if self.handler else None
                if keep is None:  # the handler left it to the default
                    keep = self._default(conn, req)
                if not keep:
                    return
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _default(self, conn, req):
        if req.method == "GET" and req.target.split("?")[0].endswith("/models"):
            data = [{"id": m, "object": "model", "owned_by": "scripted"} for m in self.models]
            conn.sendall(self.json_answer(200, {"object": "list", "data": data}))
            return True
        conn.sendall(self.json_answer(404, {"error": {"message": "no such route"}}))
        return True
