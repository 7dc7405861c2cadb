#pragma once
// Reads what routing needs from a chat request body -- `model` and `stream` -- in place with
// simdjson, without building a DOM or copying the body, and remembers where the model string sits
// so it can be replaced (prefix_id removal) by splicing bytes rather than re-serializing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

/// What a request says of a stream's usage (OpenAI's stream_options.include_usage).
enum class stream_usage_ask : std::uint8_t {
  absent,  // no stream_options
  asked,   // stream_options.include_usage is true
  other,   // stream_options is there and does not ask (null, false, other options)
};

struct chat_request_view {
  std::string model;  // unescaped
  bool stream = false;
  bool stream_given = false;  // the body had a non-null "stream" (Ollama defaults it to true)
  bool has_max_completion_tokens = false;  // (http/api/reasoning_rules.hpp may rename it)
  stream_usage_ask stream_usage = stream_usage_ask::absent;
  // The most output tokens it asks for, as OpenAI's fields say (the largest of max_tokens,
  // max_completion_tokens, max_output_tokens) and as Ollama's options.num_predict says; -1: it
  // does not say. `choices`: how many answers it asks for (n, best_of).
  std::int64_t openai_max_output = -1;
  std::int64_t num_predict = -1;
  std::int64_t choices = 1;
  std::size_t model_begin = 0;  // byte range of the model's JSON string token, quotes included
  std::size_t model_end = 0;
};

/// Parses `body` (its capacity is grown for simdjson's padding). Returns an empty string on
/// success, else a client-facing message naming the problem.
/// With `name_alias`, a body without "model" may name it "name" (Ollama's older field, still sent
/// by clients for show, pull, push and delete).
std::string parse_chat_request(std::string& body, chat_request_view& out, bool name_alias = false);

/// Replaces the model token of `body` with `model` (JSON-escaped).
void replace_model(std::string& body, const chat_request_view& v, std::string_view model);

}  // namespace sb
