#include "http/api/entity_tag.hpp"

#include <charconv>

namespace sb {

std::string entity_tag(std::uint64_t version) { return '"' + std::to_string(version) + '"'; }

std::vector<std::uint64_t> if_match_versions(std::optional<std::string_view> field) {
  if (!field) return {};
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  std::string_view rest = trim(*field);
  if (rest == "*") return {};
  std::vector<std::uint64_t> out;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto tag = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    // Strong comparison only (RFC 9110 §13.1.1): a weak tag never matches.
    if (tag.size() < 3 || tag.front() != '"' || tag.back() != '"') continue;
    auto digits = tag.substr(1, tag.size() - 2);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc{} && end == digits.data() + digits.size() && v != 0) out.push_back(v);
  }
  if (out.empty()) out.push_back(0);
  return out;
}

}  // namespace sb
