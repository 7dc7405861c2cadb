// Fuzz target for upstream base URLs (http/upstream/upstream_url.hpp), as config updates, verify
// and the environment give them: whatever is accepted names a host, a port from 1 to 65535 and
// a path that begins with '/', none of which could break a request line or a Host header.
#include <charconv>

#include "http/upstream/upstream_url.hpp"
#include "replay_main.hpp"

namespace {
bool has_line_break_or_space(const std::string& s) {
  return s.find_first_of("\r\n \t") != std::string::npos || s.find('\0') != std::string::npos;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string url(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto t = sb::parse_upstream_url(url, error);
  if (!t) {
    if (error.empty()) sb::fuzz::violated("refused without a reason", url);
    return 0;
  }
  if (t->host.empty()) sb::fuzz::violated("accepted without a host", url);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(t->port.data(), t->port.data() + t->port.size(), port);
  if (ec != std::errc{} || end != t->port.data() + t->port.size() || port < 1 || port > 65535)
    sb::fuzz::violated("accepted with a port that is not 1-65535", url);
  if (!t->base_path.empty() && t->base_path.front() != '/')
    sb::fuzz::violated("accepted with a path that does not begin with '/'", url);
  if (!t->base_path.empty() && t->base_path.back() == '/')
    sb::fuzz::violated("a base path ending in '/'", url);
  for (auto* part : {&t->host, &t->port, &t->base_path, &t->query, &t->host_header, &t->userinfo})
    if (has_line_break_or_space(*part)) sb::fuzz::violated("a part could break the request head", url);
  if (t->host_header.find(t->host) == std::string::npos && t->host_header.find('[') != 0)
    sb::fuzz::violated("Host names another host than the one connected to", url);
  return 0;
}
