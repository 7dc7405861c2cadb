#!/usr/bin/env python3
"""The load-balancing policy benchmark: the same load, through the gateway, under each policy, over
fake upstreams that all serve one model. Two scenarios:

  mixed      six upstreams, each misbehaving its own way:
               fast       answers after 5 ms
               slow       answers after 80 ms
               tail       5 ms, but one request in ten takes 300 ms more (a heavy tail)
               flaky      5 ms, but 20 % of requests answer 500
               dies       5 ms, killed (SIGKILL) 60 % into the run, in-flight requests and all
               recovers   5 ms; answers 503 (its model list too) from 25 % to 50 %, then heals
  one_slow   three fast upstreams (5 ms) and one slow one (80 ms)
  third_bad  four fast upstreams (5 ms) and two bad ones (150 ms, 10 % of answers 500)

Reports per policy: throughput, p50 / p99 / p99.9 latency as the client sees it, client-visible
error rate, and each upstream's share of the requests it received; prints the table and writes it
into bench/RESULTS.md (between the policy markers) with bench/policies-<scenario>.svg, the
latency distributions. A closed loop of CONCURRENCY clients on keep-alive connections; the gateway runs
with its defaults (retries, ejection) but a short ejection so recovery shows within the run.

usage: bench/policies.py [seconds per policy (20)] [concurrency (16)]
                         [scenarios (mixed,one_slow,third_bad)]
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE = os.path.join(ROOT, "build/tests/fake_upstream")
GATEWAY = os.path.join(ROOT, "build/switchboard")
POLICIES = os.environ.get("POLICY_BENCH_POLICIES", "random,round_robin,weighted,least_connections,"
                          "ewma,p2c,least_cost,priority").split(",")
# name, behaviour (fake_upstream tokens), role in the run's timeline.
SCENARIOS = {
    "mixed": [("fast", "slow_ttft:5", None), ("slow", "slow_ttft:80", None),
              ("tail", "slow_ttft:5+jitter:300", None), ("flaky", "slow_ttft:5+fail_rate:20", None),
              ("dies", "slow_ttft:5", "dies"), ("recovers", "slow_ttft:5", "recovers")],
    "one_slow": [("fast1", "slow_ttft:5", None), ("fast2", "slow_ttft:5", None),
                 ("fast3", "slow_ttft:5", None), ("slow", "slow_ttft:80", None)],
    "third_bad": [("fast1", "slow_ttft:5", None), ("fast2", "slow_ttft:5", None),
                  ("fast3", "slow_ttft:5", None), ("fast4", "slow_ttft:5", None),
                  ("bad1", "slow_ttft:150+fail_rate:10", None),
                  ("bad2", "slow_ttft:150+fail_rate:10", None)],
}
ABOUT = {
    "mixed": "fast (5 ms), slow (80 ms), tail (5 ms, one in ten 305 ms), flaky (5 ms, 20 % 500s), "
             "dies (killed at 60 %), recovers (503 from 25 % to 50 %)",
    "one_slow": "three fast (5 ms), one slow (80 ms)",
    "third_bad": "four fast (5 ms), two bad (150 ms, 10 % 500s): a third of the replicas",
}
BODY = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


class Proc:
    def __init__(self, argv, env=None, ready=None):
        self.p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.match = None
        self.ready = threading.Event()
        self.pattern = re.compile(ready) if ready else None
        threading.Thread(target=self._read, daemon=True).start()
        if self.pattern and not self.ready.wait(15):
            raise RuntimeError(f"{argv[0]} did not start: {''.join(self.lines[-20:])}")

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line)
            if self.pattern and not self.ready.is_set():
                m = self.pattern.search(line)
                if m:
                    self.match = m
                    self.ready.set()

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def call(port, method, path, body=None, timeout=5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def start_fake(name, behave):
    f = Proc([FAKE, "--models", "m", "--name", name, "--behave", behave], ready=r"^PORT (\d+)")
    f.port = int(f.match.group(1))
    return f


def chat_requests(fake):
    try:
        return json.loads(call(fake.port, "GET", "/_stats")[1])["chat_requests"]
    except OSError:
        return None


def run_policy(policy, upstreams, seconds, concurrency):
    fakes = [start_fake(name, behave) for name, behave, _ in upstreams]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "ENABLE_"))}
    env.update({"OPENAI_API_BASE_URLS": ";".join(f"http://127.0.0.1:{f.port}/v1" for f in fakes),
                "ENABLE_OLLAMA_API": "False", "PORT": "0", "HOST": "127.0.0.1", "WEBUI_AUTH": "False",
                "DATA_DIR": f"/tmp/sb-policy-bench-{os.getpid()}", "RESET_CONFIG_ON_START": "true",
                "LOAD_BALANCING_POLICY": policy, "OUTLIER_BASE_EJECTION": "1",
                "MODELS_REFRESH_INTERVAL": "1", "GLOBAL_LOG_LEVEL": "info",
                # weighted: the fast one twice the others; priority: the order of the list.
                "OPENAI_API_CONFIGS": json.dumps({"0": {"weight": 2}})})
    gw = Proc([GATEWAY], env=env, ready=r"listening on [^:]+:(\d+)")
    gw.port = int(gw.match.group(1))
    deadline = time.time() + 15
    while time.time() < deadline:  # every connection lists the model
        if all(b'"m"' in call(gw.port, "GET", f"/openai/models/{i}")[1] for i in range(len(fakes))):
            break
        time.sleep(0.05)
    before = [chat_requests(f) for f in fakes]
    latencies, errors, lock, stop = [], [0], threading.Lock(), threading.Event()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=30)
        mine, bad = [], 0
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/openai/chat/completions", body=BODY,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=30)
            mine.append((time.perf_counter() - t0) * 1000.0)
            bad += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.time()
    for t in threads:
        t.start()
    roles = {role: (i, fakes[i]) for i, (_, _, role) in enumerate(upstreams) if role}
    died_count = None
    events = []
    if "recovers" in roles:
        recovers = roles["recovers"][1]
        events += [(0.25, lambda: call(recovers.port, "POST", "/_behave", "error:503+list_error:503")),
                   (0.50, lambda: call(recovers.port, "POST", "/_behave", "slow_ttft:5"))]
    if "dies" in roles:
        dies = roles["dies"][1]

        def kill():
            nonlocal died_count
            died_count = chat_requests(dies)
            dies.stop(signal.SIGKILL)
        events.append((0.60, kill))
    for at, action in sorted(events, key=lambda e: e[0]):
        time.sleep(max(0.0, start + at * seconds - time.time()))
        action()
    time.sleep(max(0.0, start + seconds - time.time()))
    stop.set()
    for t in threads:
        t.join(60)
    elapsed = time.time() - start
    after = [chat_requests(f) for f in fakes]
    if "dies" in roles:
        after[roles["dies"][0]] = died_count
    shares = [(a or 0) - (b or 0) for a, b in zip(after, before)]
    gw.stop()
    for f in fakes:
        f.stop()
    latencies.sort()
    return {"policy": policy, "requests": len(latencies), "rps": len(latencies) / elapsed,
            "errors": errors[0], "latencies": latencies, "shares": shares}


def pct(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))]


def table(results, upstreams):
    names = [n for n, _, _ in upstreams]
    head = ("| policy | req/s | p50 ms | p99 ms | p99.9 ms | errors | "
            + " | ".join(f"{n} %" for n in names) + " |")
    rows = [head, "|" + "---|" * (6 + len(names))]
    for r in results:
        total = sum(r["shares"]) or 1
        lat = r["latencies"]
        rows.append(f"| {r['policy']} | {r['rps']:.0f} | {pct(lat, 50):.1f} | {pct(lat, 99):.1f} | "
                    f"{pct(lat, 99.9):.1f} | {100.0 * r['errors'] / max(1, r['requests']):.2f} % | "
                    + " | ".join(f"{100.0 * s / total:.1f}" for s in r["shares"]) + " |")
    return "\n".join(rows)


def svg(results, path):
    """Latency by percentile (log scales: x as 1/(1-p), y in ms), one line per policy."""
    import math
    w, h, left, bottom, top, right = 760, 420, 70, 50, 20, 170
    pw, ph = w - left - right, h - top - bottom
    ps = [50 + 49.9 * i / 400.0 for i in range(401)]

    def x(p):
        return left + pw * math.log10(1.0 / (1.0 - p / 100.0)) / 3.0  # 50 % .. 99.9 %

    ymin, ymax = 1.0, max(10.0, max(pct(r["latencies"], 99.9) for r in results) * 1.2)

    def y(ms):
        ms = min(max(ms, ymin), ymax)
        return top + ph - ph * math.log10(ms / ymin) / math.log10(ymax / ymin)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="14">Client latency by percentile, per load-balancing policy</text>']
    for p in [50, 90, 99, 99.9]:
        out.append(f'<line x1="{x(p):.1f}" y1="{top}" x2="{x(p):.1f}" y2="{top + ph}" stroke="#ddd"/>')
        out.append(f'<text x="{x(p):.1f}" y="{top + ph + 16}" text-anchor="middle">p{p:g}</text>')
    ms = 1.0
    while ms <= ymax:
        out.append(f'<line x1="{left}" y1="{y(ms):.1f}" x2="{left + pw}" y2="{y(ms):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:g} ms</text>')
        ms *= 10
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
    for i, r in enumerate(results):
        pts = " ".join(f"{x(p):.1f},{y(pct(r['latencies'], p)):.1f}" for p in ps)
        color = COLORS[i % len(COLORS)]
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        ly = top + 14 + 18 * i
        out.append(f'<line x1="{left + pw + 12}" y1="{ly - 4}" x2="{left + pw + 32}" y2="{ly - 4}" '
                   f'stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{left + pw + 38}" y="{ly}">{r["policy"]}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 8}" text-anchor="middle">percentile</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_results(text):
    path = os.path.join(ROOT, "bench/RESULTS.md")
    begin, end = "<!-- policies:begin -->", "<!-- policies:end -->"
    old = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in old and end in old:
        new = old[:old.index(begin)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(new)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    scenarios = (sys.argv[3] if len(sys.argv) > 3 else "mixed,one_slow,third_bad").split(",")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    text = (f"## Load-balancing policies\n\n"
            f"Command: `make bench-policies` (= `bench/policies.py {seconds:g} {concurrency} "
            f"{','.join(scenarios)}`), {time.strftime('%Y-%m-%d')}, commit {commit}. {concurrency} "
            f"clients in a closed loop on keep-alive connections, {seconds:g} s per policy, one model "
            f"served by every upstream; the gateway on its defaults (THREADS = cores, retries on) but a "
            f"1 s first ejection. Latency is the client's, retries included; errors are what the "
            f"client got; the shares are of the requests each upstream received (retries included). "
            f"Weighted: the first upstream has weight 2, the others 1; priority: the first upstream.\n")
    for scenario in scenarios:
        upstreams = SCENARIOS[scenario]
        results = []
        for policy in POLICIES:
            r = run_policy(policy, upstreams, seconds, concurrency)
            results.append(r)
            print(f"{scenario} {policy}: {r['requests']} requests, {r['errors']} errors", flush=True)
        t = table(results, upstreams)
        print(t)
        svg(results, os.path.join(ROOT, f"bench/policies-{scenario}.svg"))
        text += (f"\n### {scenario}: {ABOUT[scenario]}\n\n{t}\n\n"
                 f"![latency by percentile per policy, {scenario}](policies-{scenario}.svg)\n")
    write_results(text)


if __name__ == "__main__":
    main()
