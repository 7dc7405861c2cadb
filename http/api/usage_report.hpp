#pragma once
// GET /api/v1/usage's own language, apart from the route: reading its query (group_by, from, to,
// filters, format) into a usage_query, and writing the rows the usage actor answers as JSON
// (`{"data": [...]}`) or CSV, the same fields in the same order.
#include <cstdint>
#include <string>
#include <string_view>

#include "messages/usage_types.hpp"

namespace sb {

struct usage_request {
  usage_query query;
  bool csv = false;
};

/// Reads the request target's query into `out` (`now_s`: the time the defaults count from: the
/// last 30 days). An empty string when it is usable, else why not (for a 400).
std::string read_usage_request(std::string_view target, std::int64_t now_s, usage_request& out);

/// A time as the query may give it: unix seconds, or an ISO 8601 date or date-time in UTC
/// (`2026-12-07`, `2026-12-07T13:00`, `2026-12-07T13:00:00Z`). False when it is neither.
bool read_time(std::string_view text, std::int64_t& unix_seconds);

/// The answer's body: JSON `{"data": [...]}` or CSV with a header line.
std::string render_usage_json(const usage_table& t, std::uint8_t group_by);
std::string render_usage_csv(const usage_table& t, std::uint8_t group_by);

}  // namespace sb
