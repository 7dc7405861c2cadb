#include "http/api/reasoning_rules.hpp"

#include "http/server/json_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <vector>

namespace sb {

namespace od = simdjson::ondemand;

namespace {

// ASCII only (model names are), and without the locale lookups of std::tolower: this runs on
// every chat request.
bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Where a top-level member sits: its key token (quotes included) and the end of its value.
struct member {
  std::size_t key_begin = 0, key_end = 0, value_end = 0;
};

// One splice: replace body[begin, end) with `text`, or remove the member `removed` (whose extent,
// commas included, is found when the edit is made: two removed neighbours share a comma).
struct edit {
  std::size_t begin, end;
  std::string text;
  std::optional<member> removed;
};

// The end of a scalar JSON value starting at `at` (a number, literal or string), or nothing for
// an object or array (max_tokens is never one; such a body is left alone).
std::optional<std::size_t> scalar_end(const std::string& body, std::size_t at) {
  if (at >= body.size() || body[at] == '{' || body[at] == '[') return std::nullopt;
  if (body[at] == '"') {
    for (std::size_t i = at + 1; i < body.size(); ++i) {
      if (body[i] == '\\') ++i;
      else if (body[i] == '"') return i + 1;
    }
    return std::nullopt;
  }
  // (Not strchr: it finds the terminating NUL too, and a NUL inside a value would end it there.)
  auto ends_scalar = [](char c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
  };
  std::size_t i = at;
  while (i < body.size() && !ends_scalar(body[i])) ++i;
  return i;
}

// The bytes that remove a member: through the comma after it (and the space that follows), or
// from the comma before it when it is the last one.
edit removal_extent(const std::string& body, const member& m) {
  std::size_t end = m.value_end;
  while (end < body.size() && std::isspace(static_cast<unsigned char>(body[end]))) ++end;
  if (end < body.size() && body[end] == ',') {
    ++end;
    while (end < body.size() && std::isspace(static_cast<unsigned char>(body[end]))) ++end;
    return {m.key_begin, end, "", std::nullopt};
  }
  std::size_t begin = m.key_begin;
  while (begin > 0 && std::isspace(static_cast<unsigned char>(body[begin - 1]))) --begin;
  if (begin > 0 && body[begin - 1] == ',') --begin;
  return {begin, m.value_end, "", std::nullopt};
}

edit removal(const member& m) { return {m.key_begin, m.value_end, "", m}; }
edit replacement(std::size_t begin, std::size_t end, std::string text) {
  return {begin, end, std::move(text), std::nullopt};
}

struct found {
  std::optional<member> max_tokens, max_completion_tokens;
  std::optional<member> temperature;
  bool temperature_is_one = false;
  std::optional<std::pair<std::size_t, std::size_t>> system_role;  // messages[0].role token
};

bool scan(std::string& body, found& out) {
  auto& parser = thread_json_parser();
  od::document doc;
  if (parser.iterate(padded_in_place(body)).get(doc)) return false;
  od::object obj;
  if (doc.get_object().get(obj)) return false;
  auto offset = [&](const char* p) { return static_cast<std::size_t>(p - body.data()); };
  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field)) return false;
    const char* key_raw = field.key().raw();  // before unescaped_key(), which consumes the key
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "max_tokens" || key == "max_completion_tokens" || key == "temperature") {
      member m;
      m.key_begin = offset(key_raw) - 1;
      // The key as written: escapes make it longer than its unescaped name.
      auto key_end = scalar_end(body, m.key_begin);
      if (!key_end) return false;
      m.key_end = *key_end;
      od::value v = field.value();
      std::string_view raw = v.raw_json_token();
      auto end = scalar_end(body, offset(raw.data()));
      if (!end) return false;
      m.value_end = *end;
      if (key == "temperature") {
        double t = 0;
        out.temperature = m;
        out.temperature_is_one = !v.get_double().get(t) && t == 1.0;
      } else {
        (key == "max_tokens" ? out.max_tokens : out.max_completion_tokens) = m;
      }
    } else if (key == "messages") {
      od::array messages;
      if (field.value().get_array().get(messages)) return false;
      for (auto first_result : messages) {
        od::object first;
        if (first_result.get_object().get(first)) return false;
        for (auto f : first) {
          od::field ff;
          if (std::move(f).get(ff)) return false;
          std::string_view k;
          if (ff.unescaped_key().get(k)) return false;
          if (k != "role") continue;
          od::value v = ff.value();
          std::string_view raw = v.raw_json_token(), role;
          if (v.get_string().get(role)) return false;
          if (role == "system") {
            auto begin = offset(raw.data());
            auto end = scalar_end(body, begin);
            if (!end) return false;
            out.system_role.emplace(begin, *end);
          }
          break;
        }
        break;  // only the first message
      }
    }
  }
  // Past the end is where a whole document leaves the iterator; anything else is trailing bytes.
  return doc.current_location().error() != simdjson::SUCCESS;
}

}  // namespace

bool is_reasoning_model(std::string_view model) {
  if (model.empty() || ((model[0] | 0x20) != 'o' && (model[0] | 0x20) != 'g')) return false;
  for (auto p : {"o1", "o3", "o4", "gpt-5"})
    if (starts_with_ci(model, p)) return true;
  return false;
}

bool reasoning_rules_apply(std::string_view model, bool official_host,
                           bool has_max_completion_tokens) {
  return is_reasoning_model(model) || (!official_host && has_max_completion_tokens);
}

void apply_reasoning_rules(std::string& body, std::string_view model, reasoning_host host) {
  found f;
  bool scanned = scan(body, f);
  trim_thread_json_parser();
  if (!scanned) return;
  std::vector<edit> edits;
  if (is_reasoning_model(model)) {
    if (f.max_tokens && f.max_completion_tokens)
      edits.push_back(removal(*f.max_tokens));
    else if (f.max_tokens)
      edits.push_back(
          replacement(f.max_tokens->key_begin, f.max_tokens->key_end, "\"max_completion_tokens\""));
    if (f.system_role) {
      bool legacy = starts_with_ci(model, "o1-mini") || starts_with_ci(model, "o1-preview");
      edits.push_back(replacement(f.system_role->first, f.system_role->second,
                                  legacy ? "\"user\"" : "\"developer\""));
    }
    if (host.azure && f.temperature && !f.temperature_is_one)
      edits.push_back(removal(*f.temperature));
  } else if (!host.official && f.max_completion_tokens) {
    if (f.max_tokens)
      edits.push_back(removal(*f.max_completion_tokens));
    else
      edits.push_back(replacement(f.max_completion_tokens->key_begin,
                                  f.max_completion_tokens->key_end, "\"max_tokens\""));
  }
  // From the back, so that earlier offsets stay valid.
  std::sort(edits.begin(), edits.end(), [](auto& a, auto& b) { return a.begin > b.begin; });
  for (auto& e : edits) {
    if (e.removed) e = removal_extent(body, *e.removed);
    body.replace(e.begin, e.end - e.begin, e.text);
  }
}

}  // namespace sb
