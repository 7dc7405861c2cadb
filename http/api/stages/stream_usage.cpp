#include "http/api/stages/stream_usage.hpp"

#include <boost/json.hpp>

#include "http/api/json_depth.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/providers/json_members.hpp"
#include "http/upstream/token_usage.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// The length of `,"usage":null` (or `, "usage": null`) where it closes the object, as OpenAI
// writes it; 0 when it is not there.
std::size_t null_usage_at_end(std::string_view json_text) {
  for (std::string_view tail : {std::string_view(",\"usage\":null}"),
                                std::string_view(", \"usage\": null}")})
    if (json_text.ends_with(tail)) return tail.size() - 1;
  return 0;
}

// Whether the chunk's `choices` is an empty array (any spacing).
bool empty_choices(std::string_view json) {
  constexpr std::string_view key = "\"choices\"";
  static const text_finder choices_finder(key);
  auto at = choices_finder.find(json);
  if (at == std::string_view::npos) return false;
  auto i = at + key.size();
  auto skip = [&] {
    while (i < json.size() && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) ++i;
  };
  for (char expected : {':', '[', ']'}) {
    skip();
    if (i >= json.size() || json[i] != expected) return false;
    ++i;
  }
  return true;
}

}  // namespace

void meter_stream_usage(const session_io& s, const runtime& rt, const chat_request_view& v,
                        upstream_request& up) {
  if (!s.record || !s.record->metered || !rt.cfg.ask_stream_usage || !v.stream ||
      v.stream_usage == stream_usage_ask::asked || up.hook)
    return;
  if (!ask_stream_usage(up.body, v)) return;
  up.hook_owner = std::make_shared<usage_chunk_filter>();
  up.hook = up.hook_owner.get();
}

bool ask_stream_usage(std::string& body, const chat_request_view& v) {
  static constexpr std::string_view ask = "\"stream_options\":{\"include_usage\":true},";
  if (v.stream_usage == stream_usage_ask::absent) {
    auto open = body.find('{');
    if (open == std::string::npos) return false;
    body.insert(open + 1, ask);
    return true;
  }
  // stream_options is there without the ask (rare): its other options are kept.
  boost::system::error_code ec;
  auto parsed = parse_body_json(body, ec);
  if (ec || !parsed.is_object()) return false;
  auto& options = parsed.as_object()["stream_options"];
  if (!options.is_object()) options = json::object{};
  options.as_object()["include_usage"] = true;
  body = json::serialize(parsed);
  return true;
}

void usage_chunk_filter::on_event(std::string_view event, std::string& out) {
  std::size_t begin = 0, end = 0;
  if (usage_key_finder.find(event) == std::string_view::npos || !sse_data_json(event, begin, end)) {
    out.append(event);
    return;
  }
  // The chunk that carries nothing but the usage goes no further (one with empty choices and
  // no usage object, such as Azure's prompt_filter_results chunk, is the client's).
  auto json_text = event.substr(begin, end - begin);
  if (empty_choices(json_text) && reports_usage_object(json_text)) return;
  // The common case, OpenAI's `,"usage":null}`: the bytes around it, copied once.
  if (auto n = null_usage_at_end(json_text)) {
    out.append(event.substr(0, end - 1 - n)).append(event.substr(end - 1));
    return;
  }
  std::string edited(json_text);
  remove_top_level_members(edited, [](std::string_view name) { return name == "usage"; });
  out.append(event.substr(0, begin)).append(edited).append(event.substr(end));
}

}  // namespace sb
