#include "http/upstream/providers/json_members.hpp"

#include "http/server/json_parser.hpp"

#include <simdjson.h>

#include <cctype>

namespace sb {

namespace od = simdjson::ondemand;

namespace {

std::optional<std::vector<json_member>> scan_members(std::string& body) {
  auto& parser = thread_json_parser();
  od::document doc;
  if (parser.iterate(padded_in_place(body)).get(doc)) return std::nullopt;
  od::object obj;
  if (doc.get_object().get(obj)) return std::nullopt;
  std::vector<json_member> out;
  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field)) return std::nullopt;
    const char* raw = field.key().raw();  // before unescaped_key(), which consumes the key
    std::string_view name;
    if (field.unescaped_key().get(name)) return std::nullopt;
    out.push_back({std::string(name), static_cast<std::size_t>(raw - body.data()) - 1});
  }
  if (doc.current_location().error() == simdjson::SUCCESS) return std::nullopt;  // trailing bytes
  return out;
}

}  // namespace

std::optional<std::vector<json_member>> top_level_members(std::string& body) {
  auto members = scan_members(body);
  trim_thread_json_parser();
  return members;
}

bool remove_top_level_members(std::string& body,
                              const std::function<bool(std::string_view)>& drop) {
  auto members = top_level_members(body);
  if (!members) return false;
  auto& m = *members;
  // The object's closing brace: the last non-space byte.
  std::size_t close = body.size();
  while (close > 0 && std::isspace(static_cast<unsigned char>(body[close - 1]))) --close;
  if (close == 0 || body[close - 1] != '}') return false;
  --close;
  while (close > 0 && std::isspace(static_cast<unsigned char>(body[close - 1]))) --close;
  // `close` is now where the space before the closing brace starts: kept as it was.
  // Which members stay decides the spans: a member runs to the next one's key; the last one to
  // the closing brace, its separating comma taken from before it.
  std::vector<bool> gone(m.size());
  bool any = false;
  for (std::size_t i = 0; i < m.size(); ++i) any |= (gone[i] = drop(m[i].name));
  if (!any) return true;  // nothing to drop: not a byte changes
  std::string out;
  out.reserve(body.size());
  out.append(body, 0, m.empty() ? close : m[0].begin);
  bool wrote = false;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (gone[i]) continue;
    // The member's own bytes: key through value, without the comma and space that follow it.
    std::size_t end = i + 1 < m.size() ? m[i + 1].begin : close;
    while (end > m[i].begin && std::isspace(static_cast<unsigned char>(body[end - 1]))) --end;
    if (i + 1 < m.size() && end > m[i].begin && body[end - 1] == ',') --end;
    if (wrote) out += ',';
    out.append(body, m[i].begin, end - m[i].begin);
    wrote = true;
  }
  out.append(body, close, std::string::npos);
  body = std::move(out);
  return true;
}

}  // namespace sb
