"""A cluster of three gateways over CAF's middleman on loopback: what is written on one node works
on the others within 100 ms (config, a user, an API key, a custom model, a limit; usage too); a
node killed with -9 during 100 writes, restarted, converges to exactly the others' state; a peer
with the wrong secret gets nothing and changes nothing."""
import json
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from urllib.parse import quote

from harness import SANITIZED, FakeUpstream, Gateway, check, request, run_tests, sign_up

SECRET = "cluster-secret-0123456789"
TOKEN_KEY = "one-token-key-for-every-node-0123"
UPSTREAM_CANARY = "sk-upstream-canary-5e1f09"
# How soon a write on one node must work on the others (ASan makes everything several times
# slower; the target holds for the release build).
PROPAGATION = 2.0 if SANITIZED else 0.1


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Node(Gateway):
    def __init__(self, name, port, peer_ports, fake, data_dir=None, secret=SECRET, extra=None):
        env = {"WEBUI_AUTH": "True", "WEBUI_SECRET_KEY": TOKEN_KEY, "CLUSTER_PORT": str(port),
               "CLUSTER_PEERS": ",".join(f"127.0.0.1:{p}" for p in peer_ports),
               "CLUSTER_SECRET": secret, "CLUSTER_NODE_ID": name,
               "OPENAI_API_BASE_URLS": fake.url, "OPENAI_API_KEYS": "k",
               "BYPASS_MODEL_ACCESS_CONTROL": "True", "USER_PERMISSIONS_FEATURES_API_KEYS": "True",
               "GLOBAL_LOG_LEVEL": "info"}
        env.update(extra or {})
        self.name, self.cluster_port, self.peer_ports, self.fake = name, port, peer_ports, fake
        self.secret, self.extra = secret, extra
        super().__init__(env, data_dir)

    def restarted(self):
        return Node(self.name, self.cluster_port, self.peer_ports, self.fake, self.data_dir,
                    self.secret, self.extra)

    def put(self, path, body, headers):
        return request(self.port, "PUT", path, json.dumps(body),
                       headers=dict(headers, **{"Content-Type": "application/json"}))


def until(fn, timeout, what):
    """Polls fn() until it is true; the seconds it took."""
    start = time.time()
    while not fn():
        check(time.time() - start < timeout, f"not within {timeout}s: {what}")
        time.sleep(0.002)
    return time.time() - start


def cluster_status(node, ah):
    status, _, raw = node.get("/api/v1/cluster", headers=ah)
    return json.loads(raw) if status == 200 else None


class three_nodes:
    """Three nodes, each listing the other two, and an admin who signed up on the first."""

    def __init__(self, extra=None):
        self.fake = FakeUpstream(["gpt-a"], "A")
        self.ports = free_ports(3)
        self.nodes = []
        self.extra = extra

    def __enter__(self):
        try:
            for i, port in enumerate(self.ports):
                peers = [p for p in self.ports if p != port]
                self.nodes.append(Node(f"n{i + 1}", port, peers, self.fake, extra=self.extra))
            self.admin, self.ah = sign_up(self.nodes[0], "root")
            for n in self.nodes:
                until(lambda: (cluster_status(n, self.ah) or {}).get("members") == 3, 20,
                      f"{n.name} sees three members")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for n in self.nodes:
            if n.proc.poll() is None:
                n.stop()
        self.fake.stop()
        return False


def propagated(what, others, seen):
    took = max(until(lambda: seen(n), 10, f"{what} on {n.name}") for n in others)
    check(took < PROPAGATION, f"{what} took {took * 1000:.0f} ms to reach every node")
    return took


def test_writes_on_one_node_work_on_the_others():
    with three_nodes() as c:
        n1, others = c.nodes[0], c.nodes[1:]
        times = {}
        # The configuration: a prefix for the connection.
        cfg = json.loads(n1.get("/openai/config", headers=c.ah)[2])
        cfg["OPENAI_API_CONFIGS"] = {"0": {"prefix_id": "p1"}}
        status, _, raw = n1.post("/openai/config/update", cfg, headers=c.ah)
        check(status == 200, raw)

        def has_prefix(n):
            got = json.loads(n.get("/openai/config", headers=c.ah)[2])
            return got["OPENAI_API_CONFIGS"].get("0", {}).get("prefix_id") == "p1"
        times["config"] = propagated("the config change", others, has_prefix)
        # A user, who signs in anywhere.
        bob, bh = sign_up(n1, "bob", c.ah)
        times["user"] = propagated("the new user", others,
                                   lambda n: n.get(f"/api/v1/users/{bob['id']}",
                                                   headers=c.ah)[0] == 200)
        signin = {"email": "bob@example.com", "password": "pw-bob"}
        for n in others:  # (a sign-in hashes the password: too slow to poll with)
            check(n.post("/api/v1/auths/signin", signin)[0] == 200, f"bob signs in on {n.name}")
        # An API key, accepted everywhere.
        status, _, raw = n1.post("/api/v1/auths/api_key", {}, headers=bh)
        check(status == 200, raw)
        kh = {"Authorization": "Bearer " + json.loads(raw)["api_key"]}
        times["api key"] = propagated("the API key", others,
                                      lambda n: n.get("/api/v1/auths/", headers=kh)[0] == 200)
        # A custom model.
        form = {"id": "team-model", "base_model_id": "p1.gpt-a", "name": "Team",
                "meta": {}, "params": {}, "access_control": None}
        status, _, raw = n1.post("/api/v1/models/create", form, headers=c.ah)
        check(status == 200, raw)
        q = "/api/v1/models/model?id=" + quote("team-model", safe="")
        times["model"] = propagated("the custom model", others,
                                    lambda n: n.get(q, headers=bh)[0] == 200)
        # A limit.
        status, _, raw = n1.put(f"/api/v1/limits/user/{bob['id']}", {"rpm": 1000}, c.ah)
        check(status == 200, raw)

        def has_limit(n):
            rules = json.loads(n.get("/api/v1/limits/", headers=c.ah)[2])
            return any(r.get("id") == bob["id"] and r.get("rpm") == 1000 for r in rules["data"])
        times["limit"] = propagated("the limit", others, has_limit)
        print("propagation (ms):", {k: round(v * 1000, 1) for k, v in times.items()})
        # Usage made on node 2 is read on node 1 (rows are flushed once a second).
        chat = {"model": "team-model", "messages": [{"role": "user", "content": "hi"}]}
        status, _, raw = others[0].post("/api/chat/completions", chat, headers=kh)
        check(status == 200, raw)

        def bob_used(n):
            status, _, raw = n.get(f"/api/v1/usage?user_id={bob['id']}", headers=c.ah)
            return status == 200 and sum(r["requests"] for r in json.loads(raw)["data"]) >= 1
        until(lambda: bob_used(n1), 10, "node 2's usage read on node 1")
        # Membership in /metrics.
        status, _, raw = n1.get("/metrics", headers=c.ah)
        check(b"switchboard_cluster_members 3" in raw, raw[-2000:])
        check(b'switchboard_cluster_peer_up{peer="n2"' in raw, raw[-2000:])


def start_of_a_minute():
    """Waits, when the minute is about to turn, for the next one: the test needs its whole minute
    (a deadline, not a bare sleep: the clock is the condition)."""
    while 60 - time.time() % 60 < 12:
        time.sleep(0.2)


def key_of(node, h):
    status, _, raw = node.post("/api/v1/auths/api_key", {}, headers=h)
    check(status == 200, raw)
    return {"Authorization": "Bearer " + json.loads(raw)["api_key"]}


def test_limits_hold_for_the_cluster_as_a_whole():
    with three_nodes() as c:
        n1, n2, n3 = c.nodes
        bob, bh = sign_up(n1, "bob", c.ah)
        carol, ch = sign_up(n1, "carol", c.ah)
        bk, ck = key_of(n1, bh), key_of(n1, ch)
        check(n1.put(f"/api/v1/limits/user/{bob['id']}", {"rpm": 60}, c.ah)[0] == 200, "rpm")
        check(n1.put(f"/api/v1/limits/user/{carol['id']}",
                     {"budget_tokens": 600, "budget_period": "day"}, c.ah)[0] == 200, "budget")

        def limited(n):
            rules = json.loads(n.get("/api/v1/limits/", headers=c.ah)[2])["data"]
            return len([r for r in rules if r["scope"] == "user"]) == 2
        for n in c.nodes:
            until(lambda: limited(n) and n.get("/api/v1/auths/", headers=ck)[0] == 200, 10,
                  f"the limits on {n.name}")
        chat = {"model": "gpt-a", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
        # RPM 60 across three gateways: 90 requests spread evenly, 60 admitted (each gateway
        # admits its share, 20; the stated error is the rounding, at most 2).
        start_of_a_minute()
        codes, texts = [], []
        for i in range(90):
            status, _, raw = c.nodes[i % 3].post("/openai/chat/completions", chat, headers=bk)
            codes.append(status)
            if status == 429:
                texts.append(raw.decode())
        admitted = codes.count(200)
        check(60 <= admitted <= 62 and codes.count(429) == 90 - admitted, codes)
        check("share of 60 across 3 gateways" in texts[0], texts[0])
        # A budget of 600 tokens, 90 concurrent requests spread over all three: never overspent.
        done, tokens = spend_concurrently(c.nodes, ch, chat, 90)
        check(done.count(200) > 0 and done.count(429) > 0, done)
        check(tokens <= 600, tokens)
        used = {}

        def carol_spent():
            status, _, raw = n1.get(f"/api/v1/usage?user_id={carol['id']}", headers=c.ah)
            rows = json.loads(raw)["data"] if status == 200 else []
            used["requests"] = sum(r["requests"] for r in rows)
            used["tokens"] = sum(r["total_tokens"] for r in rows)
            return used["tokens"] == tokens
        until(carol_spent, 10, f"every node's usage of carol read on node 1: {used}, {tokens}")
        print("budget 600:", used, "admitted", done.count(200), "of 90")


def budget_owner(key, nodes):
    """The node that keeps a budget: actors/budget_ledger.cpp's rendezvous hashing."""
    def rank(node):
        h = 0xcbf29ce484222325
        for b in (node + "\n" + key).encode():
            h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
        h ^= h >> 30
        h = (h * 0xbf58476d1ce4e5b9) & 0xffffffffffffffff
        h ^= h >> 27
        h = (h * 0x94d049bb133111eb) & 0xffffffffffffffff
        return h ^ (h >> 31)
    return max(sorted(nodes), key=rank)


def spend_concurrently(nodes, headers, chat, n, on_each=None):
    """n requests at once, spread over `nodes`, each tried again (as SDKs do) while its gateway
    waits for more of the budget: the final statuses, and the tokens the admitted ones used."""
    done, tokens, lock = [], [0], threading.Lock()

    def spend(i):
        for _ in range(250):  # 5 s: a new keeper first catches up (two pings, ~2 s)
            node = nodes[i % len(nodes)]
            status, _, raw = node.post("/openai/chat/completions", chat, headers=headers)
            if status == 429 and b"waiting for more" in raw:
                time.sleep(0.02)
                continue
            with lock:
                done.append(status)
                if status == 200:
                    tokens[0] += json.loads(raw)["usage"]["total_tokens"]
            if on_each:
                on_each(i)
            return
    threads = [threading.Thread(target=spend, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return done, tokens[0]


def test_a_budget_holds_when_the_node_keeping_it_dies():
    with three_nodes() as c:
        carol, ch = sign_up(c.nodes[0], "carol", c.ah)
        check(c.nodes[0].put(f"/api/v1/limits/user/{carol['id']}",
                             {"budget_tokens": 900, "budget_period": "day"}, c.ah)[0] == 200,
              "budget")
        key = f"day/{int(time.time()) // 86400}/user/{carol['id']}"
        owner = next(n for n in c.nodes if n.name == budget_owner(key, [n.name for n in c.nodes]))
        others = [n for n in c.nodes if n is not owner]
        chat = {"model": "gpt-a", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
        probes = []

        def granted(n):
            statuses, tokens = spend_concurrently([n], ch, chat, 1)
            probes.append(tokens)
            return statuses == [200]
        until(lambda: all(granted(n) for n in c.nodes), 10, "carol's budget granted everywhere")
        # Spent everywhere; the owner killed with -9 in the middle of it.
        first, spent_before = spend_concurrently(c.nodes, ch, chat, 30)
        owner.proc.send_signal(signal.SIGKILL)
        owner.proc.wait()
        # The two left go on: a new owner grants what was not granted before, never twice.
        after, spent_after = spend_concurrently(others, ch, chat, 150)
        total = sum(probes) + spent_before + spent_after
        print(f"budget 900, owner {owner.name} killed: {first.count(200)} + {after.count(200)} "
              f"admitted, {total} tokens")
        check(total <= 900, total)
        check(after.count(200) > 0, ("nothing granted after the owner died", after))
        check(after.count(429) > 0, after)  # it ran out, it did not run on


def state_of(node, ah):
    """What a node serves: custom models, limits, users, configuration."""
    def body(path):
        status, _, raw = node.get(path, headers=ah)
        check(status == 200, (path, status, raw))
        return json.loads(raw)
    models = sorted(body("/api/v1/models/"), key=lambda m: m["id"])
    users = sorted((u["id"], u["email"], u["role"]) for u in body("/api/v1/users/")["users"])
    limits = sorted(json.dumps(r, sort_keys=True) for r in body("/api/v1/limits/")["data"])
    config = body("/openai/config")
    return json.dumps([models, users, limits, config], sort_keys=True)


def test_a_node_killed_during_writes_converges():
    with three_nodes() as c:
        n1, n2, n3 = c.nodes
        killed = threading.Event()

        def write(i):
            form = {"id": f"m{i:03}", "base_model_id": "gpt-a", "name": f"Model {i}",
                    "meta": {"n": i}, "params": {}, "access_control": None}
            status, _, raw = n1.post("/api/v1/models/create", form, headers=c.ah)
            check(status == 200, raw)
            if i % 10 == 5:  # edits and deletions too, not only new records
                form["name"] = f"Model {i} renamed"
                check(n1.post(f"/api/v1/models/model/update?id=m{i:03}", form,
                              headers=c.ah)[0] == 200, "update")
            if i % 10 == 7:
                check(n1.request_delete(f"/api/v1/models/model/delete?id=m{i:03}",
                                        headers=c.ah)[0] == 200, "delete")
            if i == 30:
                n3.proc.send_signal(signal.SIGKILL)
                n3.proc.wait()
                killed.set()
            if i % 25 == 0:
                check(c.nodes[0].put(f"/api/v1/limits/model/m{i:03}", {"rpm": i + 1},
                                     c.ah)[0] == 200, "limit")
        for i in range(100):
            write(i)
        check(killed.is_set(), "node 3 was not killed")
        n3 = c.nodes[2] = n3.restarted()
        expected = state_of(n1, c.ah)
        until(lambda: state_of(n2, c.ah) == expected, 10, "node 2 holds node 1's state")
        until(lambda: state_of(n3, c.ah) == expected, 20, "the restarted node 3 converges")
        models = json.loads(n3.get("/api/v1/models/", headers=c.ah)[2])
        check(len(models) == 90, len(models))  # 100 made, 10 deleted
        # Nothing left to send anywhere.
        for n in c.nodes:
            until(lambda: all(p["state"] == "up" and p["behind_us"] == 0 and p["behind_it"] == 0
                              for p in cluster_status(n, c.ah)["peers"]), 10,
                  f"{n.name} is caught up")


def test_with_a_write_quorum_an_acknowledged_write_is_on_a_majority():
    with three_nodes({"CLUSTER_WRITE_QUORUM": "majority", "CLUSTER_QUORUM_TIMEOUT": "6"}) as c:
        n1, n2, n3 = c.nodes
        check(n3.stop() == 0, "n3 stops")
        until(lambda: cluster_status(n1, c.ah)["members"] == 2, 15, "n1 sees n3 gone")
        form = {"id": "q1", "base_model_id": "gpt-a", "name": "Q", "meta": {}, "params": {},
                "access_control": None}
        # With n2 frozen, the write is not acknowledged; once n2 holds it, it is.
        n2.proc.send_signal(signal.SIGSTOP)
        answer = []
        writer = threading.Thread(target=lambda: answer.append(
            n1.post("/api/v1/models/create", form, headers=c.ah)))
        writer.start()
        writer.join(0.5)
        check(not answer, f"acknowledged before a majority held it: {answer}")
        n2.proc.send_signal(signal.SIGCONT)
        writer.join(10)
        check(answer and answer[0][0] == 200, (answer, n1.output()[-3000:]))
        # Acknowledged: n2 holds it, even if n1 dies at once.
        n1.proc.send_signal(signal.SIGKILL)
        n1.proc.wait()
        until(lambda: n2.get("/api/v1/models/model?id=q1", headers=c.ah)[0] == 200, 2,
              "the acknowledged write on n2")
        # n3 comes back with n1 still dead, and gets it from n2.
        n3 = c.nodes[2] = n3.restarted()
        until(lambda: n3.get("/api/v1/models/model?id=q1", headers=c.ah)[0] == 200, 15,
              "the write on the restarted n3")
        # Alone, a node cannot reach a majority: the write is stored here but not acknowledged.
        check(n3.stop() == 0, "n3 stops again")
        until(lambda: cluster_status(n2, c.ah)["members"] == 1, 15, "n2 alone")
        start = time.time()
        status, _, raw = n2.post("/api/v1/models/create", dict(form, id="q2"), headers=c.ah)
        check(status == 500 and b"majority" in raw, (status, raw))
        check(time.time() - start < 9, "the quorum timeout held")


def test_a_peer_with_the_wrong_secret_gets_nothing_and_changes_nothing():
    fake = FakeUpstream(["gpt-a"], "A")
    p1, p2, p4 = free_ports(3)
    nodes = []
    try:
        # Canaries at trace level: neither secret, nor the upstream key every node replicates,
        # may reach a log.
        loud = {"GLOBAL_LOG_LEVEL": "trace", "OPENAI_API_KEYS": UPSTREAM_CANARY}
        n1 = Node("n1", p1, [p2, p4], fake, extra=loud)
        n2 = Node("n2", p2, [p1], fake, extra=loud)
        n4 = Node("n4", p4, [p1], fake, secret="not-the-cluster-secret", extra=loud)
        nodes += [n1, n2, n4]
        _, ah = sign_up(n1, "root")
        _, eh = sign_up(n4, "eve")  # the first user of n4's own accounts: their admin
        form = {"id": "evil", "base_model_id": "gpt-a", "name": "Evil", "meta": {}, "params": {},
                "access_control": None}
        check(n4.post("/api/v1/models/create", form, headers=eh)[0] == 200, "n4's model")
        n4.wait_for_line(r"did not prove CLUSTER_SECRET", 10)
        n1.wait_for_line(r"did not prove CLUSTER_SECRET", 10)
        # A later write on n1 reaches n2: replication ran, and took nothing from n4.
        until(lambda: n2.post("/api/v1/auths/signin", {"email": "root@example.com",
                                                         "password": "pw-root"})[0] == 200,
              10, "root on n2")
        good = dict(form, id="good", name="Good")
        check(n1.post("/api/v1/models/create", good, headers=ah)[0] == 200, "n1's model")
        until(lambda: n2.get("/api/v1/models/model?id=good", headers=ah)[0] == 200, 10,
              "n1's model on n2")
        for n in (n1, n2):
            check(n.get("/api/v1/models/model?id=evil", headers=ah)[0] != 200,
                  f"n4's model reached {n.name}")
        check(n4.post("/api/v1/auths/signin", {"email": "root@example.com",
                                               "password": "pw-root"})[0] != 200,
              "n1's admin reached n4")
        check(n4.get("/api/v1/models/model?id=good", headers=eh)[0] != 200, "n1's model on n4")
        peers = {p["address"]: p for p in cluster_status(n1, ah)["peers"]}
        # (It is dialled again now and then, so its state may be any but "up".)
        refused = peers[f"127.0.0.1:{p4}"]
        check(refused["state"] != "up" and refused["node"] == "", peers)
        check(peers[f"127.0.0.1:{p2}"]["state"] == "up", peers)
        for n in nodes:
            for canary in (SECRET, "not-the-cluster-secret", UPSTREAM_CANARY):
                check(canary not in n.output(), f"{canary[:8]}... was logged by {n.name}")
        status, _, raw = n1.get("/api/v1/cluster", headers=ah)
        check(status == 200 and SECRET.encode() not in raw, raw)
    finally:
        for n in nodes:
            if n.proc.poll() is None:
                n.stop()
        fake.stop()


def make_certificates(where):
    """A cluster CA with a certificate for n1..n3, and a stranger's CA with one for n4."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=where, check=True, capture_output=True)
    for ca in ("ca", "evil-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out",
            f"{ca}.pem", "-days", "2", "-subj", f"/CN={ca}")
    for name, ca in (("n1", "ca"), ("n2", "ca"), ("n3", "ca"), ("n4", "evil-ca")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", f"/CN={name}")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2")


def test_over_tls_only_nodes_with_the_cluster_certificates_join():
    where = tempfile.mkdtemp(prefix="sb-tls-")
    make_certificates(where)
    fake = FakeUpstream(["gpt-a"], "A")
    ports = free_ports(5)
    nodes = []

    def tls(name, ca="ca"):
        return {"CLUSTER_TLS_CERT": f"{where}/{name}.pem", "CLUSTER_TLS_KEY": f"{where}/{name}.key",
                "CLUSTER_TLS_CA": f"{where}/{ca}.pem"}
    try:
        # Over TLS each pair is listed on one side only (the other subscribes back).
        nodes.append(Node("n1", ports[0], [], fake, extra=tls("n1")))
        nodes.append(Node("n2", ports[1], ports[:1], fake, extra=tls("n2")))
        nodes.append(Node("n3", ports[2], ports[:2], fake, extra=tls("n3")))
        nodes.append(Node("n4", ports[3], ports[:1], fake, extra=tls("n4", "evil-ca")))
        nodes.append(Node("n5", ports[4], ports[:1], fake))  # no TLS at all
        n1, n2, n3, n4, n5 = nodes
        _, ah = sign_up(n1, "root")
        until(lambda: (cluster_status(n3, ah) or {}).get("members") == 3, 20, "n3 joins over TLS")
        form = {"id": "tls-model", "base_model_id": "gpt-a", "name": "T", "meta": {},
                "params": {}, "access_control": None}
        check(n1.post("/api/v1/models/create", form, headers=ah)[0] == 200, "the model")
        for n in (n2, n3):
            until(lambda: n.get("/api/v1/models/model?id=tls-model", headers=ah)[0] == 200, 10,
                  f"the model on {n.name}")
        for n in (n4, n5):
            _, h = sign_up(n, "eve")
            check(cluster_status(n, h)["members"] == 1, f"{n.name} joined")
            check(n.get("/api/v1/models/model?id=tls-model", headers=h)[0] != 200,
                  f"the model reached {n.name}")
        # (CAF's OpenSSL transport drops the other links when a stranger's handshake fails; they
        # are dialled again.)
        until(lambda: cluster_status(n1, ah)["members"] == 3, 20, "the cluster after strangers")
    finally:
        for n in nodes:
            if n.proc.poll() is None:
                n.stop()
        fake.stop()
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    run_tests([test_writes_on_one_node_work_on_the_others,
               test_limits_hold_for_the_cluster_as_a_whole,
               test_a_node_killed_during_writes_converges,
               test_with_a_write_quorum_an_acknowledged_write_is_on_a_majority,
               test_a_peer_with_the_wrong_secret_gets_nothing_and_changes_nothing,
               test_over_tls_only_nodes_with_the_cluster_certificates_join])
