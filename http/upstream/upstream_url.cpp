#include "http/upstream/upstream_url.hpp"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <charconv>

namespace sb {

namespace {

bool valid_port(std::string_view p) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  return ec == std::errc{} && end == p.data() + p.size() && v >= 1 && v <= 65535;
}

}  // namespace

std::optional<upstream_target> parse_upstream_url(std::string_view url, std::string& error) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    error = "not an absolute URL";
    return std::nullopt;
  }
  upstream_target t;
  auto scheme = parsed->scheme_id();  // case-insensitive, as schemes are
  if (scheme == boost::urls::scheme::https)
    t.tls = true;
  else if (scheme != boost::urls::scheme::http) {
    error = "scheme must be http or https";
    return std::nullopt;
  }
  t.host = std::string(parsed->encoded_host());
  if (t.host.empty() || !parsed->has_authority()) {
    error = "no host";
    return std::nullopt;
  }
  // Boost.URL 1.81 takes "http://127.0.0.1.example.com:1/v1" as host 127.0.0.1 and the path
  // ".example.com:1/v1" (likewise a second '@' or ':'), where every other parser sees another
  // host: the key would go where the admin never meant. After the authority comes '/' or nothing.
  auto path = parsed->encoded_path();
  if (!path.empty() && path.front() != '/') {
    error = fmt::format(
        "after the host '{}' comes '{}', not a path beginning with '/': write the URL as "
        "scheme://host[:port][/path]",
        std::string_view(parsed->encoded_host()), std::string_view(path));
    return std::nullopt;
  }
  if (parsed->host_type() == boost::urls::host_type::ipvfuture) {
    error = "an IPvFuture address literal cannot be connected to";
    return std::nullopt;
  }
  if (t.host.find('%') != std::string::npos) {
    error = "the host is percent-encoded: write it plainly";
    return std::nullopt;
  }
  if (t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  t.port = parsed->has_port() ? std::string(parsed->port()) : std::string();
  if (t.port.empty()) t.port = t.tls ? "443" : "80";
  if (!valid_port(t.port)) {
    error = "the port must be a number from 1 to 65535";
    return std::nullopt;
  }
  // The port as a number ("0080" is port 80), and left out of Host when the URL had none.
  t.port = std::to_string(std::stoul(t.port));
  t.host_header = std::string(parsed->encoded_host());
  if (parsed->has_port() && !parsed->port().empty()) t.host_header += ":" + t.port;
  t.base_path = std::string(path);
  while (!t.base_path.empty() && t.base_path.back() == '/') t.base_path.pop_back();
  if (parsed->has_query()) t.query = std::string(parsed->encoded_query());
  if (parsed->has_userinfo()) t.userinfo = std::string(parsed->encoded_userinfo());
  for (auto& part : {t.host, t.base_path, t.query})
    if (part.find_first_of("\r\n ") != std::string::npos) {
      error = "the URL contains a space or a line break";
      return std::nullopt;
    }
  return t;
}

}  // namespace sb
