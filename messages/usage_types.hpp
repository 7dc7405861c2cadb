#pragma once
// Usage as the accounting actor keeps it (actors/usage_actor.hpp): the metered requests of each
// hour, rolled up per user, API key, model and connection, and what GET /api/v1/usage asks of it.
// A row's counts only grow: rows are keyed by this node too, so gateways that share their stored
// records (a cluster) add up rows and never overwrite each other's.
#include <caf/allowed_unsafe_message_type.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

struct usage_counts {
  std::uint64_t requests = 0;
  std::uint64_t prompt_tokens = 0;      // as the answers reported them
  std::uint64_t completion_tokens = 0;
  std::uint64_t cancelled = 0;          // the client left before the end
  std::uint64_t errors = 0;             // answered with an error status, or cut mid-stream
  std::uint64_t usage_unknown = 0;      // answers that reported no usage (none is invented)

  usage_counts& operator+=(const usage_counts& o) {
    requests += o.requests;
    prompt_tokens += o.prompt_tokens;
    completion_tokens += o.completion_tokens;
    cancelled += o.cancelled;
    errors += o.errors;
    usage_unknown += o.usage_unknown;
    return *this;
  }
  friend bool operator==(const usage_counts&, const usage_counts&) = default;
};

/// What a row is about: an hour (unix hours) and who used what through which connection.
struct usage_key {
  std::int64_t hour = 0;
  std::string user_id{};
  std::string api_key_id{};
  std::string model{};
  std::string connection{};
  friend auto operator<=>(const usage_key&, const usage_key&) = default;
};

/// The same, viewing the strings of a request's record: what a roll-up looks its row up by
/// without copying them (the strings are copied only when the row is new).
struct usage_key_view {
  std::int64_t hour = 0;
  std::string_view user_id, api_key_id, model, connection;
  friend auto operator<=>(const usage_key_view&, const usage_key_view&) = default;
};
inline usage_key_view view_of(const usage_key& k) {
  return {k.hour, k.user_id, k.api_key_id, k.model, k.connection};
}
/// Orders keys and views alike (a transparent comparator for the roll-up's map).
struct usage_key_less {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const { return as_view(a) < as_view(b); }
  static usage_key_view as_view(const usage_key& k) { return view_of(k); }
  static usage_key_view as_view(const usage_key_view& v) { return v; }
};

struct usage_row {
  usage_key key;
  usage_counts counts;
};

/// The fields a usage answer is grouped by (GET /api/v1/usage?group_by=...).
enum usage_field : std::uint8_t {
  usage_by_user = 1,
  usage_by_key = 2,
  usage_by_model = 4,
  usage_by_connection = 8,
  usage_by_day = 16,
  usage_by_hour = 32,
};

/// Which rows to add up: hours in [from_hour, to_hour), and optionally one user, key or model.
struct usage_query {
  std::int64_t from_hour = 0;
  std::int64_t to_hour = 0;
  std::uint8_t group_by = 0;  // usage_field bits
  std::optional<std::string> user_id{};
  std::optional<std::string> api_key_id{};
  std::optional<std::string> model{};
};

/// The answer: one row per group, the fields not grouped by left empty (and `hour` the first hour
/// of its day when grouped by day), in key order.
struct usage_table {
  std::vector<usage_row> rows{};
  std::string error{};  // when the rows could not be read
};

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::usage_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::usage_table)
