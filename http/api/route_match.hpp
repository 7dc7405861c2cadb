#pragma once
// Path patterns of the route table: literal segments, `{url_idx}` and `{id}` (one segment each)
// and `{path}` (the rest of the path, last). Matching is by segment, on the path without its query.
#include <optional>
#include <string_view>

namespace sb {

/// What a match captured; views into the request target.
struct route_params {
  std::optional<std::string_view> url_idx;  // the raw segment; the router validates it
  std::string_view path;                    // `{path}`: the rest, without its leading '/'
  std::string_view id;                      // `{id}`: a user's or group's id
};

/// Whether `path` matches `pattern`, filling `out` with the captures.
bool match_route(std::string_view pattern, std::string_view path, route_params& out);

/// Whether `pattern` has no parameters (matched by a lookup, not by a scan).
bool literal_pattern(std::string_view pattern);

}  // namespace sb
