#include "http/upstream/answer_headers.hpp"

#include <boost/beast/core/string.hpp>

namespace sb {

namespace http = boost::beast::http;
using boost::beast::iequals;

namespace {

// Fields of the upstream connection or message framing (RFC 9110 §7.6.1), the upstream's origin,
// or set by the gateway on every answer.
bool never_passed(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::content_length:
    case http::field::content_type:
    case http::field::server:
    case http::field::date:
    case http::field::set_cookie:
    case http::field::set_cookie2:
    case http::field::strict_transport_security:
    case http::field::alt_svc:
    case http::field::www_authenticate:  // the upstream's auth, not the gateway's: no login prompt
      return true;
    default:
      return false;
  }
}

// What describes a body the gateway replaced.
bool describes_the_body(http::field f, std::string_view name) {
  switch (f) {
    case http::field::etag:
    case http::field::last_modified:
      return true;
    default:
      return name.size() > 8 && iequals(name.substr(0, 8), "content-");
  }
}

// A field named in the upstream's Connection header is hop-by-hop too.
bool named_in_connection(const http::fields& head, std::string_view name) {
  auto it = head.find(http::field::connection);
  if (it == head.end()) return false;
  std::string_view list = it->value();
  while (!list.empty()) {
    auto comma = list.find(',');
    auto token = list.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (iequals(token, name)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool quotes_a_secret(std::string_view value, const std::vector<std::string>& secrets) {
  for (auto& s : secrets)
    if (!s.empty() && value.find(s) != std::string_view::npos) return true;
  return false;
}

}  // namespace

void append_passed_headers(std::string& out, const http::fields& head, answer_body body,
                           bool streamed, const std::vector<std::string>& secrets) {
  bool has_connection = head.count(http::field::connection) > 0;
  for (auto& f : head) {
    auto id = f.name();
    std::string_view name = f.name_string();
    if (never_passed(id)) continue;
    // CORS is the gateway's to grant (its cross-site guard), and site data the gateway's to clear.
    if ((name.size() > 15 && iequals(name.substr(0, 15), "access-control-")) ||
        iequals(name, "clear-site-data"))
      continue;
    if (body == answer_body::rewritten && describes_the_body(id, name)) continue;
    if (streamed && (id == http::field::cache_control || iequals(name, "x-accel-buffering")))
      continue;
    if (has_connection && named_in_connection(head, name)) continue;
    if (quotes_a_secret(f.value(), secrets)) continue;
    out.append(name.data(), name.size());
    out += ": ";
    out.append(f.value().data(), f.value().size());
    out += "\r\n";
  }
}

}  // namespace sb
