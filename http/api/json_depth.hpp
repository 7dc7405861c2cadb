#pragma once
// The nesting depth of a JSON text, checked over all of it. The request path reads only the
// fields it routes on and forwards the rest untouched, so a 10,000-deep array in a field nobody
// here reads would reach the upstream (and any recursive parser on the way) unchecked.
#include <cstddef>
#include <string_view>

namespace sb {

/// Deepest nesting a request body may have (OpenAI-style tool schemas use a few dozen levels).
inline constexpr std::size_t max_json_depth = 128;

/// True when arrays/objects in `text` nest deeper than `limit` (brackets inside strings do not
/// count). Assumes nothing about validity: it only counts.
bool json_nesting_exceeds(std::string_view text, std::size_t limit = max_json_depth);

}  // namespace sb
