#!/usr/bin/env python3
"""Load balancing, health, retries and timeouts: policies spread requests as they say; a connection
that dies, fails or throttles costs no request; every timeout phase fires as configured."""
import harness
import json
import os
import signal
import socket
import threading
import time

from harness import (FakeUpstream, Gateway, check, cluster, metric, request, run_tests, sse_events,
                     stream_chunks)
from scripted_upstream import ScriptedUpstream


def chat(gw, model="m", stream=False, timeout=10.0):
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    return request(gw.port, "POST", "/openai/chat/completions", json.dumps(body), timeout=timeout)


def chat_counts(fakes):
    return [f.stats()["chat_requests"] for f in fakes]


def behave(fake, tokens):
    status, _, _ = request(fake.port, "POST", "/_behave", tokens)
    assert status == 200


def health(gw):
    status, _, raw = gw.get("/gateway/upstreams")
    check(status == 200, raw)
    return {u["idx"]: u for u in json.loads(raw)["upstreams"]}


def series(gw, prefix):
    """The value of the first /metrics line starting with `prefix` (a name and some labels)."""
    for line in gw.get("/metrics")[2].decode().splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric {prefix}")


def wait_until(cond, what, timeout=10.0):
    deadline = time.time() + timeout
    while not cond():
        check(time.time() < deadline, f"timed out waiting for {what}")
        time.sleep(0.02)


class fakes_and_gateway(cluster):
    """n fake OpenAI upstreams serving `models`, and a gateway over them that lists every model on
    every connection before the test counts anything."""

    def __init__(self, n, env=None, models=("m",), configs=None, extra=()):
        env = dict(env or {})
        if configs:
            env["OPENAI_API_CONFIGS"] = json.dumps(configs)
        super().__init__([{"models": list(models), "name": "ABCDEFGH"[i], "extra": extra}
                          for i in range(n)], env)
        self.n, self.models = n, models

    def __enter__(self):
        super().__enter__()
        try:
            self.gw.wait_for_models(list(self.models))
            for m in self.models:
                wait_until(lambda: all(m in self.gw.get(f"/openai/models/{i}")[2].decode()
                                       for i in range(self.n)), f"{m} on every connection")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self


def test_each_policy_spreads_requests_as_it_says():
    by_model = {"rr": "round_robin", "rand": "random", "w": "weighted", "lc": "least_connections",
                "ewma": "ewma", "p2c": "p2c", "prio": "priority"}
    configs = {"0": {"weight": 6}, "1": {"weight": 3}, "2": {"weight": 1}}
    env = {"THREADS": "1", "LOAD_BALANCING_POLICY_BY_MODEL": json.dumps(by_model)}
    with fakes_and_gateway(3, env, models=list(by_model), configs=configs) as c:
        def spread(model, n, parallel=1):
            before = chat_counts(c.fakes)
            errors = []

            def worker(k):
                for _ in range(k):
                    status, _, raw = chat(c.gw, model)
                    if status != 200:
                        errors.append((status, raw))
            threads = [threading.Thread(target=worker, args=(n // parallel,)) for _ in range(parallel)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            check(not errors, errors[:3])
            return [a - b for a, b in zip(chat_counts(c.fakes), before)]

        # round_robin: each in turn.
        check(spread("rr", 30) == [10, 10, 10], "round robin")
        # random: about a third each (p of leaving [60, 140] out of 300 is below 1e-6).
        got = spread("rand", 300)
        check(all(60 <= x <= 140 for x in got), ("random", got))
        # weighted 6:3:1.
        got = spread("w", 400)
        check(190 <= got[0] <= 290 and 80 <= got[1] <= 160 and 15 <= got[2] <= 70, ("weighted", got))
        # priority: the first connection, all the time.
        check(spread("prio", 20) == [20, 0, 0], "priority")
        # The latency-aware ones: connection A answers 150 ms late, B and C at once.
        behave(c.fakes[0], "slow_ttft:150")
        got = spread("ewma", 40)
        check(got[0] <= 2, ("ewma sends to the slow one", got))
        got = spread("p2c", 60)
        check(got[0] <= 4, ("p2c sends to the slow one", got))
        # least_connections: 8 callers at once; the slow one holds its requests, so it gets few.
        got = spread("lc", 160, parallel=8)
        check(got[0] <= 30 and sum(got) == 160, ("least connections", got))
        # round robin ignores latency: a third still goes to the slow one.
        check(spread("rr", 15) == [5, 5, 5], "round robin under latency")


def test_priority_tiers_serve_the_next_tier_only_when_the_first_is_gone():
    configs = {"0": {"priority": 1}, "1": {"priority": 0}, "2": {"priority": 0}}
    env = {"THREADS": "1", "LOAD_BALANCING_POLICY": "round_robin", "OUTLIER_CONSECUTIVE_FAILURES": "1"}
    with fakes_and_gateway(3, env, configs=configs) as c:
        for _ in range(20):
            check(chat(c.gw)[0] == 200, "tier 0")
        check(chat_counts(c.fakes) == [0, 10, 10], chat_counts(c.fakes))
        c.fakes[1].stop()
        c.fakes[2].stop()
        for _ in range(10):
            status, _, raw = chat(c.gw)
            check(status == 200, raw)
        check(c.fakes[0].stats()["chat_requests"] == 10, c.fakes[0].stats())


def test_a_connection_killed_mid_run_costs_no_request_it_had_not_received():
    env = {"THREADS": "2", "LOAD_BALANCING_POLICY": "round_robin"}
    with fakes_and_gateway(2, env, extra=("--behave", "slow_ttft:15")) as c:
        done, failures = [0], []
        lock = threading.Lock()

        def worker():
            for _ in range(25):
                status, _, raw = chat(c.gw)
                with lock:
                    done[0] += 1
                    if status != 200:
                        failures.append((status, raw))
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        wait_until(lambda: done[0] >= 60, "60 answers")
        os.kill(c.fakes[0].proc.pid, signal.SIGKILL)
        for t in threads:
            t.join(60)
        # A request A had received whole when it died may have been acted on: never sent again,
        # it gets a 502 that says so (at most one per client, those in flight at the kill; none
        # when the reset came within the keep-alive race window). Every other one is answered.
        received = [f for f in failures if f[0] == 502 and b"not sent again" in f[1]]
        check(done[0] == 200 and len(received) == len(failures) <= 8, (done[0], failures[:3]))
        check(metric(c.gw, "switchboard_failovers_total") >= 1, "nothing failed over")
        wait_until(lambda: health(c.gw)[0]["health"] == "unreachable", "A judged unreachable")


def test_a_failing_connection_is_ejected_and_probed_back():
    env = {"THREADS": "1", "LOAD_BALANCING_POLICY": "round_robin", "OUTLIER_CONSECUTIVE_FAILURES": "3",
           "OUTLIER_BASE_EJECTION": "1", "MODELS_REFRESH_INTERVAL": "60"}
    with fakes_and_gateway(2, env) as c:
        a, b = c.fakes
        behave(a, "error:500+list_error:500")
        for _ in range(30):
            status, _, raw = chat(c.gw)
            check(status == 200, raw)  # every 500 was retried on B
        wait_until(lambda: health(c.gw)[0]["health"] == "ejected", "A ejected")
        # Three failures eject it; the few that came while the verdict was on its way are all.
        check(3 <= a.stats()["chat_requests"] <= 8, a.stats())
        check(series(c.gw, 'switchboard_upstream_ejected{kind="openai",idx="0"') == 1, "metric")
        seen = a.stats()["chat_requests"]
        for _ in range(10):
            check(chat(c.gw)[0] == 200, "while ejected")
        check(a.stats()["chat_requests"] == seen, "an ejected connection was routed to")
        # The probe (its model list) fails too: still ejected, for longer.
        wait_until(lambda: any("probe answered 500" in e["what"] for e in health(c.gw)[0]["history"]),
                   "a failed probe", timeout=5)
        check(health(c.gw)[0]["ejections"] >= 2, health(c.gw)[0])
        # Healthy again: the next probe brings it back, and it takes its share.
        behave(a, "")
        wait_until(lambda: health(c.gw)[0]["health"] == "healthy", "A back", timeout=8)
        check(any("probe answered 200" in e["what"] for e in health(c.gw)[0]["history"]), health(c.gw)[0])
        for _ in range(10):
            check(chat(c.gw)[0] == 200, "after recovery")
        check(a.stats()["chat_requests"] >= seen + 4, a.stats())
        check(series(c.gw, 'switchboard_upstream_ejected{kind="openai",idx="0"') == 0, "metric back")


def test_429_with_retry_after_goes_elsewhere_and_is_respected():
    env = {"THREADS": "1", "LOAD_BALANCING_POLICY": "round_robin"}
    with fakes_and_gateway(2, env, models=("m", "solo")) as c:
        a, b = c.fakes
        b.stop()  # only A serves "solo" from here on; "m" still has both listed until the list ages
        c.fakes[1] = FakeUpstream(models=["m"], name="B", port=b.port)
        wait_until(lambda: "solo" not in c.gw.get("/openai/models/1")[2].decode(), "B's new list")
        behave(a, "error:429+retry_after:30")
        for _ in range(10):
            status, _, raw = chat(c.gw)
            check(status == 200, raw)
        check(a.stats()["chat_requests"] == 1, ("A asked again within its Retry-After", a.stats()))
        check(c.fakes[1].stats()["chat_requests"] == 10, c.fakes[1].stats())
        # A 429 is the model's, not the connection's: "solo" is still asked for on A. With
        # nowhere else to go, its 429 (and Retry-After) reaches the client; the next request for
        # it is answered at once with the time left, and A is not asked again.
        status, hdrs, raw = chat(c.gw, "solo")
        check(status == 429 and hdrs.get("retry-after") == "30", (status, hdrs, raw))
        check(a.stats()["chat_requests"] == 2, a.stats())
        status, hdrs, raw = chat(c.gw, "solo")
        check(status == 429 and 28 <= int(hdrs.get("retry-after", "0")) <= 30, (status, hdrs, raw))
        check(a.stats()["chat_requests"] == 2, ("A asked again within its Retry-After", a.stats()))


def test_a_429_storm_calls_each_throttled_connection_once():
    env = {"THREADS": "1", "LOAD_BALANCING_POLICY": "round_robin"}
    with fakes_and_gateway(2, env) as c:
        for f in c.fakes:
            behave(f, "error:429+retry_after:30")
        for n in range(10):
            status, hdrs, raw = chat(c.gw)
            check(status == 429, (status, raw))
            check(28 <= int(hdrs.get("retry-after", "0")) <= 30, (n, hdrs))
        check(chat_counts(c.fakes) == [1, 1], ("throttled connections were called again", chat_counts(c.fakes)))
        # A stream asked for meanwhile gets the same answer, from the gateway.
        status, hdrs, raw = chat(c.gw, stream=True)
        check(status == 429 and "rate limited" in json.loads(raw)["detail"], (status, raw))
        check(chat_counts(c.fakes) == [1, 1], chat_counts(c.fakes))


def test_an_answer_with_only_throttled_alternatives_is_the_clients():
    env = {"THREADS": "1", "LOAD_BALANCING_POLICY": "round_robin"}
    with fakes_and_gateway(2, env) as c:
        a, b = c.fakes
        behave(b, "error:429+retry_after:30")
        wait_until(lambda: chat(c.gw)[0] == 200 and b.stats()["chat_requests"] >= 1, "B throttled")
        behave(a, "error:500")
        # A fails and B may not be asked: A's own answer is the client's, not a made-up 429.
        status, hdrs, raw = chat(c.gw)
        check(status == 500 and "fake upstream error" in raw.decode(), (status, raw))
        check(b.stats()["chat_requests"] == 1, b.stats())


def test_an_ejection_is_not_undone_by_an_answer_to_a_request_sent_before_it():
    env = {"THREADS": "1", "OUTLIER_CONSECUTIVE_FAILURES": "3", "OUTLIER_BASE_EJECTION": "30",
           "MODELS_REFRESH_INTERVAL": "60"}
    with fakes_and_gateway(1, env, models=("m", "m+slow_ttft:1500", "m+error:500")) as c:
        a = c.fakes[0]
        slow = []
        t = threading.Thread(target=lambda: slow.append(chat(c.gw, "m+slow_ttft:1500")))
        t.start()
        wait_until(lambda: a.stats()["chat_requests"] >= 1, "the slow request reached A")
        for _ in range(3):
            check(chat(c.gw, "m+error:500")[0] == 500, "a failure")
        wait_until(lambda: health(c.gw)[0]["health"] == "ejected", "A ejected")
        t.join(10)
        check(slow and slow[0][0] == 200, slow)
        # Sent before the ejection, its good answer says nothing of A since: A stays ejected. (Its
        # outcome would reach A's actor within the 5 ms batch window; watched for 100 times that.)
        until = time.time() + 0.5
        while time.time() < until:
            check(health(c.gw)[0]["health"] == "ejected", health(c.gw)[0])
            time.sleep(0.02)


def test_a_request_fails_over_only_to_connections_with_the_same_body_rules():
    # B's URL names api.openai.com: bodies for it follow other rules (max_tokens for a
    # reasoning model is rewritten only elsewhere). A request shaped for A may not go to B.
    a = FakeUpstream(models=["o3-mini"], name="A")
    b = FakeUpstream(models=["o3-mini"], name="B")
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{a.url};{b.base}/api.openai.com/v1", "THREADS": "1",
                  "OPENAI_API_CONFIGS": json.dumps({"1": {"priority": 1}})})
    try:
        wait_until(lambda: all("o3-mini" in gw.get(f"/openai/models/{i}")[2].decode() for i in range(2)),
                   "o3-mini on both")
        behave(a, "error:500")
        status, _, raw = chat(gw, "o3-mini")
        check(status == 500 and b.stats()["chat_requests"] == 0, (status, raw, b.stats()))
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


def test_a_stream_total_also_bounds_the_wait_for_the_first_byte():
    env = {"UPSTREAM_STREAM_TOTAL_TIMEOUT": "0.5", "UPSTREAM_FIRST_BYTE_TIMEOUT": "30"}
    with fakes_and_gateway(1, env, models=("m+slow_ttft:5000",)) as c:
        status, _, raw = chat(c.gw, "m+slow_ttft:5000", stream=True)
        check(status == 504 and "UPSTREAM_STREAM_TOTAL_TIMEOUT" in raw.decode(), (status, raw))


def test_a_request_whose_client_left_is_not_handed_to_another_connection():
    env = {"THREADS": "1", "MODELS_REFRESH_INTERVAL": "60"}
    with fakes_and_gateway(2, env, configs={"1": {"priority": 1}}) as c:
        a, b = c.fakes
        behave(a, "slow_ttft:1000+error:500")  # A answers 500, but only after the client left
        s = socket.create_connection(("127.0.0.1", c.gw.port))
        body = json.dumps({"model": "m", "messages": []})
        s.sendall(f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
        wait_until(lambda: a.stats()["chat_requests"] == 1, "the request reached A")
        s.close()
        wait_until(lambda: a.stats()["disconnects"] >= 1, "A saw the cancel")
        wait_until(lambda: metric(c.gw, "switchboard_client_cancels_total") >= 1, "the cancel counted")
        check(b.stats()["chat_requests"] == 0, ("handed to B after its client left", b.stats()))


def test_every_timeout_phase_fires_as_configured():
    slow = ("m+slow_ttft:3000", "m+slow_body:3000", "m+stall_after:1", "m+chunks:40+chunk_delay:50",
            "m+chunks:10+chunk_delay:100")
    env = {"UPSTREAM_FIRST_BYTE_TIMEOUT": "0.3", "UPSTREAM_IDLE_TIMEOUT": "0.3"}
    with fakes_and_gateway(1, env, models=slow) as c:
        start = time.time()
        status, _, raw = chat(c.gw, "m+slow_ttft:3000")
        check(status == 504 and time.time() - start < 2, (status, raw))
        check("did not answer within 0.3 s" in json.loads(raw)["detail"], raw)
        status, _, raw = chat(c.gw, "m+slow_body:3000")
        check(status == 504 and "sent nothing more for 0.3 s (UPSTREAM_IDLE_TIMEOUT)" in raw.decode(), raw)
        status, _, reads = stream_chunks(c.gw.port, "/openai/chat/completions",
                                         {"model": "m+stall_after:1", "stream": True})
        events = sse_events(b"".join(reads))
        check("sent nothing for 0.3 s (UPSTREAM_IDLE_TIMEOUT)" in events[-1], events)
    env = {"UPSTREAM_TOTAL_TIMEOUT": "0.5", "UPSTREAM_STREAM_TOTAL_TIMEOUT": "0.6"}
    with fakes_and_gateway(1, env, models=slow) as c:
        start = time.time()
        status, _, raw = chat(c.gw, "m+slow_body:3000")
        check(status == 504 and time.time() - start < 2, (status, raw))
        check("did not finish its answer within 0.5 s (UPSTREAM_TOTAL_TIMEOUT)" in raw.decode(), raw)
        status, _, raw = chat(c.gw, "m+slow_ttft:3000")
        check(status == 504 and "UPSTREAM_TOTAL_TIMEOUT" in raw.decode(), raw)
        # A stream that keeps coming is cut at its total, with a final error event.
        status, _, reads = stream_chunks(c.gw.port, "/openai/chat/completions",
                                         {"model": "m+chunks:40+chunk_delay:50", "stream": True})
        events = sse_events(b"".join(reads))
        check(status == 200 and 5 <= len(events) < 40, events)
        check("did not finish the stream within 0.6 s" in events[-1] and "[DONE]" not in events[-1], events)
        # Without a stream total, a long stream is not slow: it runs to its end.
    with fakes_and_gateway(1, {"UPSTREAM_IDLE_TIMEOUT": "0.3"}, models=slow) as c:
        status, _, reads = stream_chunks(c.gw.port, "/openai/chat/completions",
                                         {"model": "m+chunks:10+chunk_delay:100", "stream": True})
        check(sse_events(b"".join(reads))[-1] == "data: [DONE]", reads[-2:])
    # Connect: an upstream whose accept queue is full never completes a connection.
    up = ScriptedUpstream(lambda up, conn, req: None, backlog=1)
    gw = Gateway({"OPENAI_API_BASE_URLS": up.url, "THREADS": "1", "UPSTREAM_CONNECT_TIMEOUT": "0.4",
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": ["m"]}})})
    fillers = []
    try:
        gw.wait_for_models(["m"])
        up.stop_accepting()
        # The accept thread, already waiting, takes one more connection: this one. Then the
        # fillers fill the queue.
        fillers.append(socket.create_connection(("127.0.0.1", up.port)))
        wait_until(lambda: up.connections >= 1, "the last accept")
        for _ in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", up.port))
            fillers.append(s)
        start = time.time()
        status, _, raw = chat(gw)
        check(status == 504 and "connect timed out" in raw.decode() and time.time() - start < 2, (status, raw))
    finally:
        for s in fillers:
            s.close()
        check(gw.stop() == 0, gw.output())
        up.close()


def test_the_model_list_answers_at_once_while_upstreams_hang_or_refuse():
    good = FakeUpstream(models=["g"], name="G")
    hung = FakeUpstream(models=["h"], name="H", extra=("--list-delay", "30000"))
    refused_port = harness.refused_port()  # connections there are refused
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{good.url};{hung.url};http://127.0.0.1:{refused_port}/v1"})
    try:
        gw.wait_for_models(["g"])
        worst = 0.0
        for _ in range(50):
            start = time.time()
            status, _, raw = gw.get("/openai/models")
            worst = max(worst, time.time() - start)
            check(status == 200 and "g" in [m["id"] for m in json.loads(raw)["data"]], raw)
        check(worst < 0.05, f"slowest model list took {worst * 1000:.1f} ms")
    finally:
        check(gw.stop() == 0, gw.output())
        good.stop()
        hung.stop()


def test_a_dead_connections_models_give_a_fast_503_then_go():
    env = {"MODELS_REFRESH_INTERVAL": "0.3", "MODELS_STALE_TTL": "1.5"}
    with fakes_and_gateway(1, env, models=("m",)) as c:
        c.fakes[0].stop()
        wait_until(lambda: health(c.gw)[0]["health"] == "unreachable", "judged unreachable")
        start = time.time()
        status, hdrs, raw = chat(c.gw)
        check(status == 503 and time.time() - start < 0.1, (status, raw))
        check("every connection serving 'm' is unreachable" in raw.decode() and hdrs.get("retry-after"), raw)
        # Past MODELS_STALE_TTL the list is dropped: the model is unknown.
        wait_until(lambda: "\"m\"" not in c.gw.get("/openai/models")[2].decode(), "m dropped", timeout=6)
        check(chat(c.gw)[0] == 404, "a dropped model")


def test_a_stream_that_stalls_counts_against_its_connection():
    env = {"UPSTREAM_IDLE_TIMEOUT": "0.3", "OUTLIER_CONSECUTIVE_FAILURES": "2"}
    with fakes_and_gateway(1, env, models=("m+stall_after:1",)) as c:
        for _ in range(2):
            status, _, reads = stream_chunks(c.gw.port, "/openai/chat/completions",
                                             {"model": "m+stall_after:1", "stream": True})
            check(status == 200 and "UPSTREAM_IDLE_TIMEOUT" in sse_events(b"".join(reads))[-1], reads)
        wait_until(lambda: health(c.gw)[0]["health"] == "ejected", "ejected after two stalled streams")


if __name__ == "__main__":
    run_tests([test_each_policy_spreads_requests_as_it_says,
               test_priority_tiers_serve_the_next_tier_only_when_the_first_is_gone,
               test_a_connection_killed_mid_run_costs_no_request_it_had_not_received,
               test_a_failing_connection_is_ejected_and_probed_back,
               test_429_with_retry_after_goes_elsewhere_and_is_respected,
               test_a_429_storm_calls_each_throttled_connection_once,
               test_an_answer_with_only_throttled_alternatives_is_the_clients,
               test_an_ejection_is_not_undone_by_an_answer_to_a_request_sent_before_it,
               test_a_request_fails_over_only_to_connections_with_the_same_body_rules,
               test_a_stream_total_also_bounds_the_wait_for_the_first_byte,
               test_a_request_whose_client_left_is_not_handed_to_another_connection,
               test_every_timeout_phase_fires_as_configured,
               test_the_model_list_answers_at_once_while_upstreams_hang_or_refuse,
               test_a_dead_connections_models_give_a_fast_503_then_go,
               test_a_stream_that_stalls_counts_against_its_connection])
