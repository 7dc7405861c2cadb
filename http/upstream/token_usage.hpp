#pragma once
// The tokens an answer reports it used, read from the provider's own fields: OpenAI's
// `usage.{prompt_tokens, completion_tokens}` (chat, completions, embeddings), the Responses API's
// `usage.{input_tokens, output_tokens}` (also under `response` in a stream's response.completed
// event), Ollama's `prompt_eval_count` / `eval_count` (a whole answer, a stream's last line,
// /api/embed). Never invented: a count the answer does not give stays unknown (-1). Only a text
// that names a usage field is parsed at all, so the common chunk of a stream costs one search.
// The first piece of usage accounting (issue 17): the relay reads the last event of an answer
// with these, and the record carries the counts.
#include <cstdint>
#include <string_view>

namespace sb {

struct token_usage {
  std::int64_t prompt = -1;      // input tokens; -1: not reported
  std::int64_t completion = -1;  // output tokens; -1: not reported
  bool known() const { return prompt >= 0 || completion >= 0; }
};

/// The usage an OpenAI-shaped JSON document (a whole answer, or one SSE event's data) reports.
token_usage openai_usage(std::string_view json);

/// The usage an Ollama JSON document (a whole answer, or one NDJSON line) reports.
token_usage ollama_usage(std::string_view json);

}  // namespace sb
