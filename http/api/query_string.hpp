#pragma once
// A request target's query parameters, percent-decoded (Boost.URL): model ids travel there
// (`?id=`) because they may hold '/', and list routes take their paging and filters there.
#include <string>
#include <string_view>

namespace sb {

/// The first value of `name` in `target`'s query, decoded; empty when absent or unreadable.
std::string query_value(std::string_view target, std::string_view name);

}  // namespace sb
