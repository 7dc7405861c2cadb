#pragma once
// A client's path below a route's prefix, made safe to append to an upstream's base path: the
// passthrough route sends whatever follows /openai/ to connection 0 with its key, and a path that
// climbs out of the connection's base ("../../admin") must never reach the upstream.
#include <optional>
#include <string>
#include <string_view>

namespace sb {

/// `path` (no query; segments separated by '/') with its dot-segments resolved (RFC 3986 §5.2.4),
/// "%2e" spelled dots included, as a path that begins with '/'. Nothing, and `why`, when it would
/// climb above its start, or carries an encoded '/' or a '\' that an upstream might take for one.
std::optional<std::string> resolve_relative_path(std::string_view path, std::string& why);

}  // namespace sb
