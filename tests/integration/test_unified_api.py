"""The unified API over real HTTP: POST /api/chat/completions (and /api/v1/...) speaks OpenAI's
shape in and out whatever the provider. An Ollama model gets the request converted to Ollama's
/api/chat and its NDJSON (or whole) answer converted back: role, content, tool calls, finish
reason, usage, [DONE]."""
import base64
import json
import struct
import time

from harness import FakeUpstream, Gateway, check, run_tests


def gateway():
    openai = FakeUpstream(models=["gpt-a"], name="O")
    ollama = FakeUpstream(models=["llama3:latest"], name="L")
    gw = Gateway({"OPENAI_API_BASE_URLS": openai.url, "ENABLE_OLLAMA_API": "True",
                  "OLLAMA_BASE_URLS": ollama.base})
    deadline = time.time() + 10
    while True:
        status, _, raw = gw.get("/api/models")
        ids = [m["id"] for m in json.loads(raw)["data"]] if status == 200 else []
        if {"gpt-a", "llama3:latest"} <= set(ids):
            return gw, openai, ollama
        check(time.time() < deadline, ids)
        time.sleep(0.05)


def events(raw):
    out = [line[6:] for line in raw.decode().split("\n") if line.startswith("data: ")]
    check(out and out[-1] == "[DONE]", raw)
    return [json.loads(e) for e in out[:-1]]


CHAT = {"messages": [{"role": "user", "content": "hi"}]}
TOOLS = [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}]


def test_openai_and_ollama_models_answer_in_openai_shape():
    gw, openai, ollama = gateway()
    try:
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="gpt-a"))
        check(status == 200 and json.loads(raw)["choices"][0]["message"]["content"].startswith("O:"), raw)
        for path in ["/api/chat/completions", "/api/v1/chat/completions"]:
            for name in ["llama3:latest", "llama3"]:
                status, hdrs, raw = gw.post(path, dict(CHAT, model=name, max_tokens=9))
                body = json.loads(raw)
                check(status == 200 and hdrs["content-type"].startswith("application/json"), raw)
                choice = body["choices"][0]
                check(body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-") and
                      choice["message"]["role"] == "assistant" and
                      choice["message"]["content"].startswith("L:tok0") and
                      choice["finish_reason"] == "stop" and body["model"] == name, body)
        sent = json.loads(ollama.stats()["last_body"])
        check(sent["model"] == "llama3:latest" and sent["stream"] is False and
              sent["options"]["num_predict"] == 9 and sent["messages"] == CHAT["messages"], sent)
        # Unknown: Open WebUI's 400 "Model not found".
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="nope"))
        check(status == 400 and json.loads(raw)["detail"] == "Model not found", (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        openai.stop()
        ollama.stop()


def test_ollama_streams_become_openai_chunks_with_usage_and_done():
    gw, openai, ollama = gateway()
    try:
        req = dict(CHAT, model="llama3:latest", stream=True, stream_options={"include_usage": True})
        status, hdrs, raw = gw.post("/api/chat/completions", req)
        check(status == 200 and hdrs["content-type"].startswith("text/event-stream"), (status, hdrs))
        chunks = events(raw)
        check(all(c["object"] == "chat.completion.chunk" and c["model"] == "llama3:latest"
                  for c in chunks) and len({c["id"] for c in chunks}) == 1, chunks)
        check(chunks[0]["choices"][0]["delta"]["role"] == "assistant", chunks[0])
        text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
        check(text.startswith("L:tok0 L:tok1"), text)
        finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
        check(len(finish) == 1 and finish[0]["choices"][0]["finish_reason"] == "stop", chunks)
        usage = chunks[-1]
        check(usage["choices"] == [] and usage["usage"]["prompt_tokens"] == 3 and
              usage["usage"]["total_tokens"] == 3 + usage["usage"]["completion_tokens"], usage)
        # Without include_usage there is no usage chunk.
        status, _, raw = gw.post("/api/chat/completions", dict(req, stream_options=None))
        check(all("usage" not in c for c in events(raw)), raw)
    finally:
        check(gw.stop() == 0, gw.output())
        openai.stop()
        ollama.stop()


def test_tool_calls_images_and_formats_cross_over():
    gw, openai, ollama = gateway()
    try:
        status, _, raw = gw.post("/api/chat/completions",
                                 dict(CHAT, model="llama3:latest", tools=TOOLS))
        choice = json.loads(raw)["choices"][0]
        call = choice["message"]["tool_calls"][0]
        check(status == 200 and choice["finish_reason"] == "tool_calls" and
              call["type"] == "function" and call["function"]["name"] == "weather" and
              json.loads(call["function"]["arguments"]) == {"city": "Paris"} and
              call["id"].startswith("call_"), raw)
        status, _, raw = gw.post("/api/chat/completions",
                                 dict(CHAT, model="llama3:latest", tools=TOOLS, stream=True))
        chunks = events(raw)
        calls = [c["choices"][0]["delta"]["tool_calls"] for c in chunks
                 if c["choices"] and "tool_calls" in c["choices"][0]["delta"]]
        check(calls and calls[0][0]["index"] == 0 and calls[0][0]["function"]["name"] == "weather",
              chunks)
        check(chunks[-1]["choices"][0]["finish_reason"] == "tool_calls", chunks[-1])
        # Back to Ollama: a tool call's arguments as an object, images out of data URLs, formats.
        image = base64.b64encode(b"\x89PNG fake").decode()
        messages = [{"role": "user", "content": [
                        {"type": "text", "text": "what is"},
                        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{image}"}},
                        {"type": "text", "text": "this?"}]},
                    {"role": "assistant", "content": None, "tool_calls": [
                        {"id": "c1", "type": "function",
                         "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                    {"role": "tool", "tool_call_id": "c1", "content": "cold"}]
        schema = {"type": "object", "properties": {"a": {"type": "string"}}}
        gw.post("/api/chat/completions",
                {"model": "llama3:latest", "messages": messages, "temperature": 0.5, "seed": 1,
                 "response_format": {"type": "json_schema", "json_schema": {"name": "x",
                                                                            "schema": schema}}})
        sent = json.loads(ollama.stats()["last_body"])
        m = sent["messages"]
        check(m[0] == {"role": "user", "content": "what is\nthis?", "images": [image]}, m[0])
        check(m[1]["content"] == "" and
              m[1]["tool_calls"][0]["function"]["arguments"] == {"city": "Oslo"}, m[1])
        check(sent["format"] == schema and sent["options"] == {"temperature": 0.5, "seed": 1},
              sent)
    finally:
        check(gw.stop() == 0, gw.output())
        openai.stop()
        ollama.stop()


def test_embeddings_in_openai_shape_for_both_families():
    gw, openai, ollama = gateway()
    try:
        for path in ["/api/embeddings", "/api/v1/embeddings"]:
            status, _, raw = gw.post(path, {"model": "gpt-a", "input": "hello"})
            check(status == 200 and json.loads(raw)["data"][0]["embedding"] == [0.1, 0.2, 0.3], raw)
            status, _, raw = gw.post(path, {"model": "llama3", "input": ["a", "b"]})
            body = json.loads(raw)
            check(status == 200 and body["object"] == "list" and body["model"] == "llama3" and
                  body["data"][0] == {"object": "embedding", "index": 0,
                                      "embedding": [0.1, 0.2, 0.3]} and
                  "usage" in body, raw)
        sent = json.loads(ollama.stats()["last_body"])
        check(sent == {"model": "llama3:latest", "input": ["a", "b"]}, sent)
        # The SDKs' default, encoding_format "base64": little-endian float32s, as OpenAI sends.
        status, _, raw = gw.post("/api/embeddings", {"model": "llama3", "input": "a",
                                                     "encoding_format": "base64"})
        packed = base64.b64decode(json.loads(raw)["data"][0]["embedding"])
        check([round(x, 6) for x in struct.unpack("<3f", packed)] == [0.1, 0.2, 0.3], raw)
        check(ollama.stats()["last_path"] == "/api/embed", ollama.stats())
        status, _, raw = gw.post("/api/embeddings", {"model": "llama3", "input": 5})
        check(status == 400 and b"input" in raw, raw)
        status, _, raw = gw.post("/api/embeddings", {"model": "nope", "input": "x"})
        check(status == 400 and json.loads(raw)["detail"] == "Model not found", raw)
    finally:
        check(gw.stop() == 0, gw.output())
        openai.stop()
        ollama.stop()


def test_a_cut_ollama_stream_ends_with_an_openai_error_event():
    ollama = FakeUpstream(models=["m+reset_after:2"], name="L")
    gw = Gateway({"ENABLE_OPENAI_API": "False", "ENABLE_OLLAMA_API": "True",
                  "OLLAMA_BASE_URLS": ollama.base})
    try:
        gw.wait_for_models(["m+reset_after:2"], path="/api/models")
        status, _, raw = gw.post("/api/chat/completions",
                                 dict(CHAT, model="m+reset_after:2", stream=True))
        lines = [l[6:] for l in raw.decode().split("\n") if l.startswith("data: ")]
        check(status == 200 and "[DONE]" not in lines, raw)  # never a false end
        last = json.loads(lines[-1])
        check(last["error"]["type"] == "upstream_error" and "reset" in last["error"]["message"], last)
        deltas = [json.loads(l)["choices"][0]["delta"].get("content") for l in lines[:-1]]
        check(deltas == ["L:tok0 ", "L:tok1 "], deltas)
    finally:
        check(gw.stop() == 0, gw.output())
        ollama.stop()


def test_a_deeply_nested_request_within_the_limit_is_converted():
    """Tool schemas nest deep: anything the gateway accepts (128 levels) it must also be able to
    read whole where it rewrites a body (Boost.JSON stops at 32 by default)."""
    gw, openai, ollama = gateway()
    try:
        schema = {"type": "string"}
        for _ in range(50):
            schema = {"type": "object", "properties": {"x": schema}}
        tools = [{"type": "function", "function": {"name": "deep", "parameters": schema}}]
        status, _, raw = gw.post("/api/chat/completions", dict(CHAT, model="llama3:latest", tools=tools))
        check(status == 200, raw)
        sent = json.loads(ollama.stats()["last_body"])
        check(sent["tools"] == tools, "the schema did not arrive whole")
    finally:
        check(gw.stop() == 0, gw.output())
        openai.stop()
        ollama.stop()


if __name__ == "__main__":
    run_tests([test_a_deeply_nested_request_within_the_limit_is_converted,
               test_openai_and_ollama_models_answer_in_openai_shape,
               test_ollama_streams_become_openai_chunks_with_usage_and_done,
               test_tool_calls_images_and_formats_cross_over,
               test_embeddings_in_openai_shape_for_both_families,
               test_a_cut_ollama_stream_ends_with_an_openai_error_event])
