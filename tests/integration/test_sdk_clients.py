"""The official `openai` and `ollama` npm clients against the real gateway and fake upstreams: they
list the merged models, stream and read errors as applications do. Needs node and the npm registry;
the clients (openai v5 runs on the built-in fetch, so Debian 12's own Node 18 works; v4's
node-fetch fails there with "Premature close") are installed once into build/tests/npm."""
import json
import os
import shutil
import subprocess

from harness import FakeUpstream, Gateway, check, cluster, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS = os.path.join(HERE, "..", "clients")


def install_client():
    target = os.path.join(os.getcwd(), "npm")
    wanted = open(os.path.join(CLIENTS, "package.json")).read()
    have_path = os.path.join(target, "package.json")
    have = open(have_path).read() if os.path.exists(have_path) else None
    installed = all(os.path.exists(os.path.join(target, "node_modules", m)) for m in ("openai", "ollama"))
    if have != wanted or not installed:
        os.makedirs(target, exist_ok=True)
        shutil.copy(os.path.join(CLIENTS, "package.json"), target)
        for attempt in range(3):  # the registry is the network: allow it a hiccup
            r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=target, timeout=300)
            if r.returncode == 0:
                break
        check(r.returncode == 0, "npm install of the clients failed three times")
    for script in ("openai_client.mjs", "ollama_client.mjs", "openai_unified.mjs"):
        shutil.copy(os.path.join(CLIENTS, script), os.path.join(target, script))
    return target


def test_openai_npm_client_lists_and_streams():
    check(shutil.which("node") and shutil.which("npm"), "node and npm are required (scripts/install-deps.sh)")
    script = os.path.join(install_client(), "openai_client.mjs")
    with cluster([dict(models=["gpt-a"], name="A", key="sk-a-0000"), dict(models=["gpt-b"], name="B")]) as c:
        c.gw.wait_for_models(["gpt-a", "gpt-b"])
        r = subprocess.run(["node", script, f"http://127.0.0.1:{c.gw.port}/openai", "gpt-b"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, r.stderr)
        out = json.loads(r.stdout.strip().splitlines()[-1])
        check(out["models"] == ["gpt-a", "gpt-b"], out)
        check(out["deltas"] == [f"B:tok{i} " for i in range(5)], out)
        check(out["whole"].startswith("B:tok0"), out)
        check(out["error"]["status"] == 404 and "Model not found" in out["error"]["message"], out)
        # The SDK asks for base64 and decodes float32s: 0.1 as a float32 is 0.10000000149...
        check([round(x, 6) for x in out["embedding"]] == [0.1, 0.2, 0.3], out)
        check(out["responseText"] == "B:response" and out["responseDeltas"] == ["B:d0 ", "B:d1 ", "B:d2 "], out)


def test_ollama_npm_client_lists_chats_generates_and_embeds():
    check(shutil.which("node") and shutil.which("npm"), "node and npm are required (scripts/install-deps.sh)")
    script = os.path.join(install_client(), "ollama_client.mjs")
    a = FakeUpstream(models=["llama3:latest", "m+reset_after:2"], name="A", extra=("--version", "0.6.1"))
    b = FakeUpstream(models=["llama3:latest"], name="B", extra=("--version", "0.5.9"))
    gw = Gateway({"ENABLE_OLLAMA_API": "True", "ENABLE_OPENAI_API": "False",
                  "OLLAMA_BASE_URLS": f"{a.base};{b.base}"})
    try:
        gw.wait_for_models(["llama3:latest", "m+reset_after:2"], path="/ollama/v1/models")
        r = subprocess.run(["node", script, f"http://127.0.0.1:{gw.port}/ollama", "llama3", "m+reset_after:2"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, r.stderr)
        out = json.loads(r.stdout.strip().splitlines()[-1])
        check(out["models"] == ["llama3:latest", "m+reset_after:2"], out)
        check(out["show"] == "FROM llama3:latest", out)
        # Round robin over the two servers holding the model: each answer is whole and from one.
        for key in ("chat", "generate"):
            check(len(out[key]) == 5 and len({t.split(":")[0] for t in out[key]}) == 1, out)
        check(out["chatWhole"].count("tok") == 5 and out["generateWhole"].count("tok") == 5, out)
        check(out["embed"] == [[0.1, 0.2, 0.3]], out)
        check(out["version"] == "0.5.9", out)
        check(out["ps"] == ["llama3:latest"], out)
        check(out["error"]["status"] == 404 and out["error"]["message"] == "model 'no-such-model' not found", out)
        check(out["cut"] == ["A:tok0 ", "A:tok1 "] and "ollama connection 0" in out["cutError"], out)
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


def test_openai_npm_client_on_the_unified_api_with_an_ollama_and_an_openai_model():
    check(shutil.which("node") and shutil.which("npm"), "node and npm are required (scripts/install-deps.sh)")
    script = os.path.join(install_client(), "openai_unified.mjs")
    o = FakeUpstream(models=["gpt-a"], name="O")
    l = FakeUpstream(models=["llama3:latest"], name="L")
    gw = Gateway({"OPENAI_API_BASE_URLS": o.url, "ENABLE_OLLAMA_API": "True",
                  "OLLAMA_BASE_URLS": l.base})
    try:
        gw.wait_for_models(["gpt-a", "llama3:latest"], path="/api/models")
        for model, prefix, tools in [("llama3", "L:", "1"), ("gpt-a", "O:", "0")]:
            r = subprocess.run(["node", script, f"http://127.0.0.1:{gw.port}/api", model, tools],
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 0, r.stderr)
            out = json.loads(r.stdout.strip().splitlines()[-1])
            check(out["models"] == ["gpt-a", "llama3:latest"], out)
            check(out["whole"].startswith(prefix + "tok0") and out["wholeUsage"]["prompt_tokens"] == 3,
                  out)
            check(out["deltas"][:2] == [f"{prefix}tok0 ", f"{prefix}tok1 "] and
                  out["finish"] == "stop", out)
            check([round(x, 6) for x in out["embedding"]] == [0.1, 0.2, 0.3], out)
            if tools == "1":
                check(out["usage"]["prompt_tokens"] == 3 and out["usage"]["total_tokens"] > 3, out)
                for call in (out["tool"], out["streamedTool"]):
                    check(call["name"] == "weather" and json.loads(call["arguments"]) ==
                          {"city": "Paris"}, out)
    finally:
        check(gw.stop() == 0, gw.output())
        o.stop()
        l.stop()


if __name__ == "__main__":
    run_tests([test_openai_npm_client_lists_and_streams,
               test_ollama_npm_client_lists_chats_generates_and_embeds,
               test_openai_npm_client_on_the_unified_api_with_an_ollama_and_an_openai_model])
