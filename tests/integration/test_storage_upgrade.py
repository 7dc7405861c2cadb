"""Keyed, versioned storage and stable connection ids over real HTTP: a data directory written by
an older release upgrades in place on first start, and a connection keeps its id (and with it its
endpoint, pool and health) when another is deleted or the list reordered."""
import json
import os
import shutil
import tempfile
import time

from harness import FakeUpstream, Gateway, check, run_tests

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "data-v1")


def copy_fixture():
    data = tempfile.mkdtemp(prefix="sb-upgrade-")
    shutil.copytree(os.path.join(FIXTURE, "config.rocksdb"), os.path.join(data, "config.rocksdb"))
    return data


def configs(gw, family):
    status, _, raw = gw.get(f"/{family}/config")
    check(status == 200, raw)
    return json.loads(raw)


def chat_requests_counted(gw, connection_id):
    """switchboard_upstream_requests_total of the connection with this id (0 when absent)."""
    for line in gw.get("/metrics")[2].decode().splitlines():
        if line.startswith("switchboard_upstream_requests_total{") and f'id="{connection_id}"' in line:
            return int(line.rsplit(" ", 1)[1])
    return 0


def test_a_schema_1_data_directory_upgrades_in_place():
    data = copy_fixture()
    # The environment names other URLs: the stored configuration wins, as before the upgrade.
    env = {"OPENAI_API_BASE_URLS": "http://127.0.0.1:1/v1", "ENABLE_OLLAMA_API": "True"}
    gw = Gateway(env, data_dir=data)
    try:
        gw.wait_for_line("database upgraded from schema 1 to 2")
        o = configs(gw, "openai")
        check(o["OPENAI_API_BASE_URLS"] == ["http://127.0.0.1:9/v1", "http://127.0.0.1:10/v1"], o)
        check(o["OPENAI_API_KEYS"] == ["****-one", "****-two"], o)
        c = o["OPENAI_API_CONFIGS"]
        check(c["0"]["prefix_id"] == "one" and c["0"]["model_ids"] == ["m1"] and
              c["0"]["tags"] == [{"name": "t"}], c)
        check(c["1"]["enable"] is False and c["1"]["headers"] == {"X-Fixture": "yes"}, c)
        ids = [c["0"]["connection_id"], c["1"]["connection_id"]]
        check(all(ids) and ids[0] != ids[1], ids)
        ol = configs(gw, "ollama")
        check(ol["OLLAMA_BASE_URLS"] == ["http://127.0.0.1:11"], ol)
        check(ol["OLLAMA_API_CONFIGS"]["0"]["key"] == "****-key" and
              ol["OLLAMA_API_CONFIGS"]["0"]["prefix_id"] == "ol", ol)
        # The stored keys are the real ones: a masked echo of the form saves them unchanged.
        status, _, raw = gw.post("/openai/config/update", o)
        check(status == 200 and json.loads(raw)["OPENAI_API_KEYS"] == ["****-one", "****-two"], raw)
    finally:
        check(gw.stop() == 0, gw.output())
    gw = Gateway(env, data_dir=data)
    try:
        again = configs(gw, "openai")["OPENAI_API_CONFIGS"]
        check([again["0"]["connection_id"], again["1"]["connection_id"]] == ids, again)
        check("database upgraded" not in gw.output(), "upgraded twice")
    finally:
        check(gw.stop() == 0, gw.output())
        shutil.rmtree(data, ignore_errors=True)


def test_a_connection_keeps_its_id_and_pool_when_another_is_deleted():
    a = FakeUpstream(models=["a-model"], name="A")
    b = FakeUpstream(models=["b-model"], name="B")
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{a.url};{b.url}", "OPENAI_API_KEYS": "ka;kb"})
    try:
        gw.wait_for_models(["a-model", "b-model"])
        status, _, raw = gw.post("/openai/chat/completions", {"model": "b-model"})
        check(status == 200 and b"B:tok0" in raw, raw)
        form = configs(gw, "openai")
        b_id = form["OPENAI_API_CONFIGS"]["1"]["connection_id"]
        sent_to_b = chat_requests_counted(gw, b_id)
        check(sent_to_b >= 1, gw.get("/metrics")[2])
        # Connection 0 is deleted, as Open WebUI's UI does it: the lists shift, B's entry (with
        # its id) moves to index 0.
        form["OPENAI_API_BASE_URLS"] = [b.url]
        form["OPENAI_API_KEYS"] = [form["OPENAI_API_KEYS"][1]]
        form["OPENAI_API_CONFIGS"] = {"0": form["OPENAI_API_CONFIGS"]["1"]}
        status, _, raw = gw.post("/openai/config/update", form)
        check(status == 200, raw)
        after = json.loads(raw)
        check(after["OPENAI_API_CONFIGS"]["0"]["connection_id"] == b_id, after)
        # B's model stays routable throughout, now listed at urlIdx 0, through the same pool.
        status, _, raw = gw.post("/openai/chat/completions", {"model": "b-model"})
        check(status == 200 and b"B:tok0" in raw, raw)
        # The same endpoint: its counters go on from where they were (a new one starts at 0).
        check(chat_requests_counted(gw, b_id) > sent_to_b, gw.get("/metrics")[2])
        check(f'idx="0",host="127.0.0.1:{b.port}",id="{b_id}"' in gw.get("/metrics")[2].decode(),
              "B is not listed at idx 0 under its id")
        deadline = time.time() + 5
        while True:
            listed = json.loads(gw.get("/openai/models")[2])["data"]
            if [(m["id"], m["urlIdx"]) for m in listed] == [("b-model", 0)]:
                break
            check(time.time() < deadline, listed)
            time.sleep(0.05)
        status, _, raw = gw.post("/openai/chat/completions", {"model": "a-model"})
        check(status == 404, (status, raw))
        # A form without ids (a script posting Open WebUI's shape) keeps it too, by URL.
        del form["OPENAI_API_CONFIGS"]["0"]["connection_id"]
        form["OPENAI_API_BASE_URLS"] = [a.url, b.url]
        form["OPENAI_API_KEYS"] = ["ka", "kb"]
        form["OPENAI_API_CONFIGS"] = {}
        status, _, raw = gw.post("/openai/config/update", form)
        ids = json.loads(raw)["OPENAI_API_CONFIGS"]
        check(ids["1"]["connection_id"] == b_id and ids["0"]["connection_id"] != b_id, ids)
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


def test_an_edit_from_a_stale_version_gets_412_and_the_current_one():
    a = FakeUpstream(models=["a-model"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": a.url, "OPENAI_API_KEYS": "sk-first-key"})
    try:
        status, hdrs, raw = gw.get("/openai/config")
        etag = hdrs["etag"]
        check(status == 200 and etag.startswith('"') and etag.endswith('"'), hdrs)
        form = json.loads(raw)
        # Two admins edit from the same version: the first wins, the second is told.
        first = dict(form, OPENAI_API_CONFIGS={"0": {"prefix_id": "one"}})
        second = dict(form, OPENAI_API_CONFIGS={"0": {"prefix_id": "two"}})
        status, hdrs1, raw = gw.post("/openai/config/update", first, headers={"If-Match": etag})
        check(status == 200 and hdrs1["etag"] != etag, (status, raw))
        status, hdrs2, raw = gw.post("/openai/config/update", second, headers={"If-Match": etag})
        check(status == 412, (status, raw))
        body = json.loads(raw)
        check(hdrs2["etag"] == hdrs1["etag"] and "changed since" in body["detail"], (hdrs2, body))
        current = body["current"]
        check(current["OPENAI_API_CONFIGS"]["0"]["prefix_id"] == "one", body)
        check(current["OPENAI_API_KEYS"] == ["****-key"], "the key is shown masked in a 412 too")
        check(b"sk-first-key" not in raw, raw)
        # Redone on top of the current version, it applies; without If-Match the last writer wins.
        status, _, raw = gw.post("/openai/config/update", second, headers={"If-Match": hdrs2["etag"]})
        check(status == 200 and json.loads(raw)["OPENAI_API_CONFIGS"]["0"]["prefix_id"] == "two", raw)
        status, _, raw = gw.post("/openai/config/update", first)
        check(status == 200 and json.loads(raw)["OPENAI_API_CONFIGS"]["0"]["prefix_id"] == "one", raw)
        # A weak or foreign tag never matches: refused, not applied.
        status, _, _ = gw.post("/openai/config/update", second, headers={"If-Match": 'W/' + hdrs2["etag"]})
        check(status == 412, status)
        status, _, _ = gw.post("/openai/config/update", second, headers={"If-Match": "*"})
        check(status == 200, status)
        # Each family has its own version: an Ollama edit does not make an OpenAI edit stale.
        status, hdrs, _ = gw.get("/openai/config")
        status, _, raw = gw.post("/ollama/config/update", {"OLLAMA_BASE_URLS": []})
        check(status == 200, raw)
        status, _, raw = gw.post("/openai/config/update", first, headers={"If-Match": hdrs["etag"]})
        check(status == 200, raw)
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()


def test_concurrent_writers_with_if_match_never_lose_an_acknowledged_edit():
    import threading
    a = FakeUpstream(models=["a-model"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": a.url})
    applied, refused = [], []
    try:
        def writer(n):
            # Read, change, write with If-Match; on 412 read again and redo: every edit lands once.
            for attempt in range(50):
                status, hdrs, raw = gw.get("/openai/config")
                form = json.loads(raw)
                tags = form["OPENAI_API_CONFIGS"]["0"].get("tags", [])
                form["OPENAI_API_CONFIGS"]["0"]["tags"] = tags + [{"name": f"w{n}"}]
                status, _, raw = gw.post("/openai/config/update", form, headers={"If-Match": hdrs["etag"]})
                if status == 200:
                    applied.append(n)
                    return
                check(status == 412, (status, raw))
                refused.append(n)
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        check(sorted(applied) == list(range(6)), (applied, refused))
        tags = configs(gw, "openai")["OPENAI_API_CONFIGS"]["0"]["tags"]
        check(sorted(t["name"] for t in tags) == [f"w{n}" for n in range(6)], tags)
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()


if __name__ == "__main__":
    run_tests([test_a_schema_1_data_directory_upgrades_in_place,
               test_a_connection_keeps_its_id_and_pool_when_another_is_deleted,
               test_an_edit_from_a_stale_version_gets_412_and_the_current_one,
               test_concurrent_writers_with_if_match_never_lose_an_acknowledged_edit])
