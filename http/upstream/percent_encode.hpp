#pragma once
// Percent-encoding of everything but RFC 3986's unreserved characters (letters, digits, "-._~"),
// and spaces when asked: a URL path segment (Azure deployment names), or a header value as
// Python's quote(value, safe=" ") writes it (Open WebUI's user names).
#include <string>
#include <string_view>

namespace sb {

inline std::string percent_encode(std::string_view value, bool keep_spaces = false) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-' || c == '~' || (keep_spaces && c == ' ');
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace sb
