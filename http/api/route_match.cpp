#include "http/api/route_match.hpp"

namespace sb {

namespace {

// The next '/'-separated segment of `s` from `pos` (which points just past a '/').
std::string_view segment(std::string_view s, std::size_t pos) {
  auto end = s.find('/', pos);
  return s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

}  // namespace

bool literal_pattern(std::string_view pattern) {
  return pattern.find('{') == std::string_view::npos;
}

bool match_route(std::string_view pattern, std::string_view path, route_params& out) {
  out = {};
  std::size_t p = 0, q = 0;  // positions in pattern and path, each at a '/'
  while (p < pattern.size()) {
    if (q >= path.size() || pattern[p] != '/' || path[q] != '/') return false;
    auto want = segment(pattern, p + 1);
    if (want == "{path}") {
      out.path = path.substr(q + 1);
      return !out.path.empty();
    }
    auto got = segment(path, q + 1);
    if (want == "{url_idx}") {
      if (got.empty()) return false;
      out.url_idx = got;
    } else if (want == "{id}") {
      if (got.empty()) return false;
      out.id = got;
    } else if (want != got) {
      return false;
    }
    p += 1 + want.size();
    q += 1 + got.size();
  }
  return q == path.size();
}

}  // namespace sb
