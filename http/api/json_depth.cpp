#include "http/api/json_depth.hpp"

#include <boost/json/parse.hpp>
#include <cstring>
#include <string_view>

namespace sb {

bool json_nesting_exceeds(std::string_view text, std::size_t limit) {
  // Fast path for the common request: with no more opening brackets than the limit, nesting
  // cannot exceed it. memchr (vectorized in libc) skips from bracket to bracket; the exact scan
  // below looks at every byte.
  std::size_t opening = 0;
  for (char open : {'[', '{'}) {
    const char* p = text.data();
    const char* end = p + text.size();
    while (opening <= limit &&
           (p = static_cast<const char*>(std::memchr(p, open, static_cast<std::size_t>(end - p)))))
      ++opening, ++p;
  }
  if (opening <= limit) return false;
  std::size_t depth = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    switch (*p) {
      case '"': {
        // Skip the string: to the next unescaped quote (memchr runs far faster than a byte loop).
        ++p;
        for (;;) {
          auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
          if (!q) return false;
          std::size_t backslashes = 0;
          for (auto* b = q; b > p && b[-1] == '\\'; --b) ++backslashes;
          p = q + 1;
          if (backslashes % 2 == 0) break;
        }
        continue;
      }
      case '\\':
        // Outside a string too, a backslash escapes the next byte for simdjson (its quote scan
        // runs before it knows where strings are). Invalid JSON, but inside a value the request
        // path skips it goes unnoticed, and a scan that disagreed on where strings are could be
        // led to miss any depth.
        if (end - p > 1) ++p;
        break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
    ++p;
  }
  return false;
}

boost::json::value parse_body_json(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  return boost::json::parse(text, ec, {}, options);
}

}  // namespace sb
