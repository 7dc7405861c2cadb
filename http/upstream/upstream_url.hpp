#pragma once
// An upstream's base URL as the admin wrote it, split for connecting and for building request
// targets; refused unless a strict parse gives the authority every other parser gives.
#include <optional>
#include <string>
#include <string_view>

namespace sb {

/// An upstream base URL, split for connecting and for building request targets.
struct upstream_target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;    // e.g. "/v1", never ending in '/'
  std::string query;        // the URL's query without '?', kept on every request (e.g. key=...)
  std::string host_header;  // host[:port] as the Host header carries it
  std::string userinfo;     // "user:password" from the URL, percent-encoded (Basic auth)
};

/// Parses http(s)://host[:port][/path][?query]; anything else is an error naming the problem.
std::optional<upstream_target> parse_upstream_url(std::string_view url, std::string& error);

}  // namespace sb
