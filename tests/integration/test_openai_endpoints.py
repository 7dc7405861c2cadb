"""Every OpenAI endpoint besides chat, routed by model over the same catalog: embeddings, legacy
completions, the Responses API (streamed and not) and speech, across two connections with
prefixes; one connection's list; api.openai.com's non-chat models unlisted but routable."""
import json

from harness import FakeUpstream, Gateway, check, cluster, run_tests, sse_events, stream_chunks

TWO = [dict(models=["emb-a", "shared"], name="A"), dict(models=["emb-b", "shared"], name="B")]
PREFIXED = {"OPENAI_API_CONFIGS": json.dumps({"0": {"prefix_id": "a"}, "1": {"prefix_id": "b"}})}


def test_embeddings_completions_and_speech_are_routed_by_model():
    with cluster(TWO, env=PREFIXED) as c:
        c.gw.wait_for_models(["a.emb-a", "b.emb-b", "a.shared", "b.shared"])
        status, _, raw = c.gw.post("/openai/embeddings", {"model": "b.emb-b", "input": "hi"})
        out = json.loads(raw)
        check(status == 200 and out["data"][0]["embedding"] == [0.1, 0.2, 0.3], raw)
        st = c.fakes[1].stats()
        check(st["last_path"] == "/v1/embeddings" and json.loads(st["last_body"]) == {"model": "emb-b", "input": "hi"}, st)
        check(c.fakes[0].stats()["last_path"] == "", "the other connection was asked")
        status, _, raw = c.gw.post("/openai/completions", {"model": "a.shared", "prompt": "x"})
        check(status == 200 and json.loads(raw)["choices"][0]["text"] == "A:text", raw)
        check(c.fakes[0].stats()["last_path"] == "/v1/completions", c.fakes[0].stats())
        status, hdrs, raw = c.gw.post("/openai/audio/speech", {"model": "b.shared", "input": "hi", "voice": "alloy"})
        check(status == 200 and hdrs["content-type"] == "audio/mpeg" and raw == b"ID3B:audio", (hdrs, raw))
        for path in ["/openai/embeddings", "/openai/completions", "/openai/responses", "/openai/audio/speech"]:
            status, _, raw = c.gw.post(path, {"model": "emb-a", "input": "x"})  # unprefixed: unknown
            check(status == 404 and json.loads(raw)["detail"] == "Model not found", (path, raw))


def test_the_responses_api_streamed_and_not():
    with cluster(TWO, env=PREFIXED) as c:
        c.gw.wait_for_models(["b.shared"])
        status, _, raw = c.gw.post("/openai/responses", {"model": "b.shared", "input": "hi"})
        out = json.loads(raw)
        check(status == 200 and out["output"][0]["content"][0]["text"] == "B:response", raw)
        check(c.fakes[1].stats()["last_path"] == "/v1/responses", c.fakes[1].stats())
        status, hdrs, reads = stream_chunks(c.gw.port, "/openai/responses",
                                            {"model": "a.shared", "input": "hi", "stream": True})
        events = sse_events(b"".join(reads))
        check(status == 200 and hdrs["content-type"] == "text/event-stream", hdrs)
        check(events[0].startswith("event: response.created") and events[-1].startswith("event: response.completed"), events)
        deltas = [json.loads(e.split("data: ", 1)[1])["delta"] for e in events if "output_text.delta" in e]
        check(deltas == ["A:d0 ", "A:d1 ", "A:d2 "], events)


def test_one_connections_list_and_unlisted_official_models():
    # A URL naming api.openai.com gets Open WebUI's rule: non-chat models are not listed. They
    # are still what embeddings and speech are routed to.
    a = FakeUpstream(models=["gpt-x", "text-embedding-3-small", "tts-1"], name="A")
    b = FakeUpstream(models=["other"], name="B")
    gw = Gateway({"OPENAI_API_BASE_URLS": f"{a.base}/api.openai.com/v1;{b.url}"})
    try:
        gw.wait_for_models(["gpt-x", "other"])
        listed = [m["id"] for m in json.loads(gw.get("/openai/models")[2])["data"]]
        check(listed == ["gpt-x", "other"], listed)
        one = json.loads(gw.get("/openai/models/1")[2])["data"]
        check([m["id"] for m in one] == ["other"] and one[0]["urlIdx"] == 1, one)
        status, _, raw = gw.get("/openai/models/2")
        check(status == 404 and "no OpenAI connection 2" in json.loads(raw)["detail"], raw)
        status, _, raw = gw.post("/openai/embeddings", {"model": "text-embedding-3-small", "input": "x"})
        check(status == 200 and a.stats()["last_path"] == "/api.openai.com/v1/embeddings", (raw, a.stats()))
        status, hdrs, raw = gw.post("/openai/audio/speech", {"model": "tts-1", "input": "x", "voice": "alloy"})
        check(status == 200 and raw == b"ID3A:audio", raw)
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


if __name__ == "__main__":
    run_tests([test_embeddings_completions_and_speech_are_routed_by_model,
               test_the_responses_api_streamed_and_not,
               test_one_connections_list_and_unlisted_official_models])
