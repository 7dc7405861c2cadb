#pragma once
// The tokens an answer reports it used, read from the provider's own fields: OpenAI's
// `usage.{prompt_tokens, completion_tokens}` (chat, completions, embeddings), the Responses API's
// `usage.{input_tokens, output_tokens}` (also under `response` in a stream's response.completed
// event), Ollama's `prompt_eval_count` / `eval_count` (a whole answer, a stream's last line,
// /api/embed). Never invented: a count the answer does not give stays unknown (-1), one past
// 2^40 is clamped there. Fields are read at the answer's top level only (a client's tool
// arguments naming "usage" are not the answer's), and a text that names no usage costs one
// search: most chunks of a stream.
// The relay reads every answer it relays with these (only when the record stage runs), and the
// request's record carries the counts to usage accounting.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/upstream/framing.hpp"
#include "messages/request_record.hpp"

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

/// Finds one fixed needle in text by Horspool's skips (up to the needle's length per step), its
/// table made once: std::string_view::find runs memchr from each '"' of a JSON text when the
/// needle starts with one, and glibc's memmem was slower still on these short texts.
class text_finder {
 public:
  explicit text_finder(std::string_view needle);
  /// Where the needle first occurs in `text` at or after `from`; npos when nowhere.
  std::size_t find(std::string_view text, std::size_t from = 0) const;

 private:
  std::string_view needle_;
  std::array<std::uint8_t, 256> skip_{};
};

/// The finders of the texts usage is found by.
extern const text_finder usage_key_finder;        // "usage"
extern const text_finder eval_count_finder;       // _eval_count"

/// The JSON of an SSE event's data, [begin, end) of `event`: from the first brace after "data:"
/// to the event's last brace. False when it has none.
bool sse_data_json(std::string_view event, std::size_t& begin, std::size_t& end);

/// Whether `json` holds `"usage": {` anywhere (a cheap test; the usage is not read).
bool reports_usage_object(std::string_view json);

/// The usage a whole answer body reports, in whichever provider's shape it is written. Parsed in
/// place: `body` may gain capacity (never content) for the parser's padding.
token_usage whole_answer_usage(std::string& body);

/// The finder of the key without which an event in framing `f` reports no usage: one search over
/// a run of events, so that most chunks of a stream cost no more.
const text_finder& usage_finder(framing f);

/// Folds the usage one streamed event (an SSE event, its `data:` JSON read; an NDJSON line)
/// reports into `into`: a count it gives replaces the one known before.
void fold_event_usage(framing f, std::string_view event, token_usage& into);

/// Writes the counts `u` gives into the request's record (those it does not give stay as they were).
inline void note_usage(request_record& r, const token_usage& u) {
  if (u.prompt >= 0) r.prompt_tokens = u.prompt;
  if (u.completion >= 0) r.completion_tokens = u.completion;
}

}  // namespace sb
