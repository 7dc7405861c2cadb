#pragma once
// The nesting depth of a JSON text, checked over all of it. The request path reads only the
// fields it routes on and forwards the rest untouched, so a 10,000-deep array in a field nobody
// here reads would reach the upstream (and any recursive parser on the way) unchecked.
#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

namespace sb {

/// Deepest nesting a request body may have (OpenAI-style tool schemas use a few dozen levels).
inline constexpr std::size_t max_json_depth = 128;

/// True when arrays/objects in `text` nest deeper than `limit` (brackets inside strings do not
/// count). Assumes nothing about validity: it only counts.
bool json_nesting_exceeds(std::string_view text, std::size_t limit = max_json_depth);

/// Parses a request body (or what a filter made of one) as deep as the gateway accepts bodies:
/// Boost.JSON stops at 32 levels by default, so a tool schema the gateway let in could not be
/// read where a body is rewritten (presets, the Ollama conversion, filters).
boost::json::value parse_body_json(std::string_view text, boost::system::error_code& ec);

}  // namespace sb
