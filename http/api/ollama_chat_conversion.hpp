#pragma once
// The unified chat route over an Ollama model (Open WebUI's convert_payload_openai_to_ollama and
// convert_*_response_ollama_to_openai): an OpenAI Chat Completions request becomes one for
// Ollama's /api/chat, and its answer comes back in OpenAI's shape, streamed or whole.
//
// Request: text parts of a message joined, data-URL images moved to `images`, tool calls'
// arguments parsed to objects; sampling parameters into `options` (max_tokens and
// max_completion_tokens as num_predict), `response_format` as `format`, `tools` and
// `keep_alive` passed on; `stream` false unless asked (OpenAI's default).
// Answer: each NDJSON line becomes a chat.completion.chunk SSE event (the role first, content and
// tool calls as deltas, Ollama's `thinking` as reasoning_content, the finish reason on the
// last), a usage chunk when stream_options.include_usage asked for it, then `data: [DONE]`; a
// line that is not Ollama's, or an end before the `done` line, ends it with an error event
// instead. A whole answer becomes one chat.completion with usage.
#include <cstdint>
#include <string>
#include <string_view>

#include "http/upstream/stream_hook.hpp"

namespace sb {

/// What the conversion of a request found out.
struct ollama_chat_request {
  std::string body;             // for Ollama's /api/chat
  bool stream = false;
  bool include_usage = false;   // stream_options.include_usage
};

/// Converts an OpenAI chat request to Ollama's, for `model` (the server's name). False and
/// `error` when the body is not a chat request.
bool to_ollama_chat(std::string_view openai_body, std::string_view model, ollama_chat_request& out,
                    std::string& error);

/// Turns Ollama's chat answer back into OpenAI's, naming the model `model` (as the client did).
class ollama_chat_converter : public stream_hook {
 public:
  ollama_chat_converter(std::string model, bool include_usage);

  framing output_framing(framing) const override { return framing::sse; }
  std::string_view content_type(std::string_view) const override { return "text/event-stream"; }
  void on_event(std::string_view event, std::string& out) override;
  void on_end(std::string& out) override;
  bool on_whole(std::string& body, std::string& content_type) override;

 private:
  void emit(std::string& out, std::string chunk_json) const;
  void fail(std::string& out, std::string message);  // an error event ends the stream

  std::string id_;
  std::string model_;
  std::int64_t created_;
  bool include_usage_;
  bool role_sent_ = false;
  bool finished_ = false;
  int tool_calls_ = 0;
};

}  // namespace sb
