#include "http/upstream/token_usage.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "http/server/json_parser.hpp"

namespace sb {

namespace od = simdjson::ondemand;

namespace {

// Counts past this are no provider's: clamped, so that sums and reservations cannot overflow.
constexpr std::int64_t count_max = std::int64_t{1} << 40;

// A count as a provider writes it: a non-negative integer; anything else is unknown.
std::int64_t count_of(od::object& o, std::string_view key) {
  std::int64_t n = -1;
  if (o.find_field_unordered(key).get_int64().get(n) || n < 0) return -1;
  return std::min(n, count_max);
}

// `usage` of `o` (its own member, never one nested deeper), in either of OpenAI's spellings.
bool read_usage_object(od::object& o, token_usage& out) {
  od::object usage;
  if (o.find_field_unordered("usage").get_object().get(usage)) return false;
  out.prompt = count_of(usage, "prompt_tokens");
  out.completion = count_of(usage, "completion_tokens");
  if (out.prompt < 0) out.prompt = count_of(usage, "input_tokens");
  if (out.completion < 0) out.completion = count_of(usage, "output_tokens");
  return true;
}

// Parses `json` (padded: simdjson reads up to SIMDJSON_PADDING bytes past its end) and hands its
// top-level object to `read`. Members are found at the top level only: a client's tool arguments
// or schema that name "usage" or "eval_count" are never taken for the answer's.
template <class Read>
token_usage parse_object(simdjson::padded_string_view json, Read read) {
  token_usage out;
  auto& parser = thread_json_parser();
  od::document doc;
  od::object o;
  if (!parser.iterate(json).get(doc) && !doc.get_object().get(o)) read(o, out);
  trim_thread_json_parser();
  return out;
}

void read_openai_usage(od::object& o, token_usage& out) {
  if (read_usage_object(o, out)) return;
  // A Responses stream's response.completed: {"type": ..., "response": {..., "usage": {...}}}
  od::object response;
  if (!o.find_field_unordered("response").get_object().get(response))
    read_usage_object(response, out);
}

void read_ollama_usage(od::object& o, token_usage& out) {
  out.prompt = count_of(o, "prompt_eval_count");
  out.completion = count_of(o, "eval_count");
}

// Whether `"usage"` is followed by an object somewhere in `json`: a stream asked for usage sends
// `"usage":null` in every chunk but the last, and those are not worth a parse.
bool names_usage_object(std::string_view json) {
  constexpr std::string_view key = "\"usage\"";
  for (auto at = usage_key_finder.find(json); at != std::string_view::npos;
       at = usage_key_finder.find(json, at + 1)) {
    auto i = at + key.size();
    auto skip = [&] {
      while (i < json.size() && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) ++i;
    };
    skip();
    if (i >= json.size() || json[i] != ':') continue;
    ++i;
    skip();
    if (i < json.size() && json[i] == '{') return true;
  }
  return false;
}

}  // namespace

text_finder::text_finder(std::string_view needle) : needle_(needle) {
  auto m = needle.size();
  skip_.fill(static_cast<std::uint8_t>(m));
  for (std::size_t i = 0; i + 1 < m; ++i)
    skip_[static_cast<unsigned char>(needle[i])] = static_cast<std::uint8_t>(m - 1 - i);
}

std::size_t text_finder::find(std::string_view text, std::size_t from) const {
  auto m = needle_.size();
  if (m == 0 || text.size() < m) return std::string_view::npos;
  char last = needle_[m - 1];
  for (auto i = from; i + m <= text.size();) {
    char c = text[i + m - 1];
    if (c == last && std::memcmp(text.data() + i, needle_.data(), m - 1) == 0) return i;
    i += skip_[static_cast<unsigned char>(c)];
  }
  return std::string_view::npos;
}

const text_finder usage_key_finder("\"usage\"");
const text_finder eval_count_finder("_eval_count\"");

bool reports_usage_object(std::string_view json) { return names_usage_object(json); }

token_usage openai_usage(std::string_view json) {
  if (!names_usage_object(json)) return {};
  simdjson::padded_string padded(json);  // copied: only texts that may report usage get here
  return parse_object(padded, read_openai_usage);
}

token_usage ollama_usage(std::string_view json) {
  if (eval_count_finder.find(json) == std::string_view::npos) return {};
  simdjson::padded_string padded(json);
  return parse_object(padded, read_ollama_usage);
}

bool sse_data_json(std::string_view event, std::size_t& begin, std::size_t& end) {
  static const text_finder data_finder("data:");
  auto data = data_finder.find(event);
  begin = data == std::string_view::npos ? data : event.find('{', data);
  auto close = event.rfind('}');
  if (begin == std::string_view::npos || close == std::string_view::npos || close < begin)
    return false;
  end = close + 1;
  return true;
}

token_usage whole_answer_usage(std::string& body) {
  bool openai = names_usage_object(body);
  if (!openai && eval_count_finder.find(body) == std::string_view::npos) return {};
  // Parsed where it lies: a whole answer is read once, and copying it cost more than the parse.
  auto padded = padded_in_place(body);
  if (openai)
    if (auto found = parse_object(padded, read_openai_usage); found.known()) return found;
  if (eval_count_finder.find(body) == std::string_view::npos) return {};
  return parse_object(padded, read_ollama_usage);
}

const text_finder& usage_finder(framing f) {
  return f == framing::ndjson ? eval_count_finder : usage_key_finder;
}

void fold_event_usage(framing f, std::string_view event, token_usage& into) {
  token_usage found;
  if (f == framing::ndjson) {
    found = ollama_usage(event);
  } else {
    std::size_t begin = 0, end = 0;
    if (!sse_data_json(event, begin, end)) return;
    found = openai_usage(event.substr(begin, end - begin));
  }
  if (found.prompt >= 0) into.prompt = found.prompt;
  if (found.completion >= 0) into.completion = found.completion;
}

}  // namespace sb
