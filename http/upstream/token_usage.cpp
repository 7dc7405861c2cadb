#include "http/upstream/token_usage.hpp"

#include <simdjson.h>

#include <charconv>

#include "http/server/json_parser.hpp"

namespace sb {

namespace od = simdjson::ondemand;

namespace {

// A count as a provider writes it: a non-negative integer; anything else is unknown.
std::int64_t count_of(od::object& o, std::string_view key) {
  std::int64_t n = -1;
  if (o.find_field_unordered(key).get_int64().get(n) || n < 0) return -1;
  return n;
}

// The text of the first `"usage": {...}` object in `json` (a stream asked for usage sends
// `"usage":null` in every chunk but the last: those have none), or empty. Only that object is
// parsed, not the answer around it: a whole answer's choices, an event's deltas.
std::string_view usage_object_text(std::string_view json) {
  constexpr std::string_view key = "\"usage\"";
  for (auto at = json.find(key); at != std::string_view::npos; at = json.find(key, at + 1)) {
    auto i = at + key.size();
    auto skip = [&] {
      while (i < json.size() && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) ++i;
    };
    skip();
    if (i >= json.size() || json[i] != ':') continue;
    ++i;
    skip();
    if (i >= json.size() || json[i] != '{') continue;
    // Its end: the brace that closes it, strings (and their escapes) skipped.
    int depth = 0;
    bool in_string = false;
    for (auto j = i; j < json.size(); ++j) {
      char c = json[j];
      if (in_string) {
        if (c == '\\') ++j;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        return json.substr(i, j - i + 1);
      }
    }
    return {};
  }
  return {};
}

// The non-negative integer after `"key":` at the top level of an Ollama answer (its keys are
// never nested, and a key's quotes cannot appear unescaped inside a string); -1 when absent.
std::int64_t ollama_count(std::string_view json, std::string_view quoted_key) {
  auto at = json.find(quoted_key);
  if (at == std::string_view::npos) return -1;
  auto i = at + quoted_key.size();
  while (i < json.size() && (json[i] == ' ' || json[i] == ':' || json[i] == '\t')) ++i;
  std::int64_t n = -1;
  auto [end, ec] = std::from_chars(json.data() + i, json.data() + json.size(), n);
  bool whole = end == json.data() + json.size() || *end == ',' || *end == '}' || *end == ' ' ||
               *end == '\n' || *end == '\r';
  return ec == std::errc{} && whole && n >= 0 ? n : -1;
}

}  // namespace

token_usage openai_usage(std::string_view json) {
  auto usage = usage_object_text(json);
  if (usage.empty()) return {};
  token_usage out;
  simdjson::padded_string padded(usage);
  auto& parser = thread_json_parser();
  od::document doc;
  od::object o;
  if (!parser.iterate(padded).get(doc) && !doc.get_object().get(o)) {
    out.prompt = count_of(o, "prompt_tokens");
    out.completion = count_of(o, "completion_tokens");
    if (out.prompt < 0) out.prompt = count_of(o, "input_tokens");
    if (out.completion < 0) out.completion = count_of(o, "output_tokens");
  }
  trim_thread_json_parser();
  return out;
}

token_usage ollama_usage(std::string_view json) {
  if (json.find("_eval_count\"") == std::string_view::npos) return {};
  return {ollama_count(json, "\"prompt_eval_count\""), ollama_count(json, "\"eval_count\"")};
}

token_usage whole_answer_usage(std::string_view body) {
  auto found = openai_usage(body);
  return found.known() ? found : ollama_usage(body);
}

bool may_report_usage(framing f, std::string_view events) {
  return events.find(f == framing::ndjson ? std::string_view("_eval_count\"")
                                          : std::string_view("\"usage\"")) !=
         std::string_view::npos;
}

void fold_event_usage(framing f, std::string_view event, token_usage& into) {
  token_usage found;
  if (f == framing::ndjson) {
    found = ollama_usage(event);
  } else {
    // The JSON of the event's data line: from its first brace to the event's last.
    auto data = event.find("data:");
    auto open = data == std::string_view::npos ? data : event.find('{', data);
    auto close = event.rfind('}');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return;
    found = openai_usage(event.substr(open, close - open + 1));
  }
  if (found.prompt >= 0) into.prompt = found.prompt;
  if (found.completion >= 0) into.completion = found.completion;
}

}  // namespace sb
