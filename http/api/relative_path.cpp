#include "http/api/relative_path.hpp"

#include <vector>

namespace sb {

namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// "." or "..", however the dots are spelled ("." or "%2e"), and with any ";parameters" (Tomcat
// and Spring take "..;x" for ".."): 1 or 2; 0 for any other segment.
int dots_of(std::string_view segment) {
  segment = segment.substr(0, segment.find(';'));
  int dots = 0;
  while (!segment.empty()) {
    if (segment.front() == '.') {
      segment.remove_prefix(1);
    } else if (segment.size() >= 3 && ieq(segment.substr(0, 3), "%2e")) {
      segment.remove_prefix(3);
    } else {
      return 0;
    }
    if (++dots > 2) return 0;
  }
  return dots;
}

// An encoded '/' or '\\' (an upstream that decodes it sees another path), a '\\', or a NUL.
bool hides_a_separator(std::string_view segment) {
  if (segment.find('\\') != std::string_view::npos) return true;
  for (std::size_t at = segment.find('%'); at != std::string_view::npos;
       at = segment.find('%', at + 1)) {
    auto code = segment.substr(at, 3);
    if (ieq(code, "%2f") || ieq(code, "%5c") || code == "%00") return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> resolve_relative_path(std::string_view path, std::string& why) {
  std::vector<std::string_view> kept;
  bool ends_in_slash = false;
  std::size_t at = 0;
  while (at <= path.size()) {
    auto end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    auto segment = path.substr(at, end - at);
    at = end + 1;
    ends_in_slash = segment.empty() || dots_of(segment) > 0;
    if (hides_a_separator(segment)) {
      why = "the path may not contain an encoded '/', a '\\' or a NUL";
      return std::nullopt;
    }
    int dots = dots_of(segment);
    if (dots == 2) {
      if (kept.empty()) {
        why = "the path climbs above the connection's base path ('..')";
        return std::nullopt;
      }
      kept.pop_back();
    } else if (dots == 0 && !segment.empty()) {
      kept.push_back(segment);
    }
  }
  std::string out;
  for (auto s : kept) {
    out += '/';
    out += s;
  }
  if (out.empty() || ends_in_slash) out += '/';
  return out;
}

}  // namespace sb
