"""The official `openai` npm client against the real gateway and two fake upstreams: it lists the
merged models, streams a chat completion and reads errors. Needs node and the npm registry; the
client (v5: it runs on the built-in fetch, so Debian 12's own Node 18 works; v4's node-fetch fails there with "Premature close") is installed once into build/tests/npm."""
import json
import os
import shutil
import subprocess

from harness import check, cluster, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS = os.path.join(HERE, "..", "clients")


def install_client():
    target = os.path.join(os.getcwd(), "npm")
    wanted = open(os.path.join(CLIENTS, "package.json")).read()
    have_path = os.path.join(target, "package.json")
    have = open(have_path).read() if os.path.exists(have_path) else None
    if have != wanted or not os.path.exists(os.path.join(target, "node_modules", "openai")):
        os.makedirs(target, exist_ok=True)
        shutil.copy(os.path.join(CLIENTS, "package.json"), target)
        for attempt in range(3):  # the registry is the network: allow it a hiccup
            r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=target, timeout=300)
            if r.returncode == 0:
                break
        check(r.returncode == 0, "npm install of the openai client failed three times")
    script = os.path.join(target, "openai_client.mjs")
    shutil.copy(os.path.join(CLIENTS, "openai_client.mjs"), script)
    return script


def test_openai_npm_client_lists_and_streams():
    check(shutil.which("node") and shutil.which("npm"), "node and npm are required (scripts/install-deps.sh)")
    script = install_client()
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


if __name__ == "__main__":
    run_tests([test_openai_npm_client_lists_and_streams])
