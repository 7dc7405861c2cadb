#pragma once
// Limit rules in words and numbers: scope and period names, a rule's JSON (as PUT
// /api/v1/limits/{scope}/{id} takes it and as it is stored), and the budget periods' calendar
// (whole UTC days, ISO weeks from Monday, calendar months).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/limit_types.hpp"

namespace sb {

std::optional<budget_period> period_named(std::string_view name);

/// Reads a rule's body (`{"rpm", "tpm", "max_in_flight", "budget_tokens", "budget_period",
/// "max_output_tokens", "free"}`, each null or absent for none) into `out` (its scope and id set
/// by the caller). An empty string when it is usable, else why not.
std::string read_limit_body(std::string_view body, limit_rule& out);

/// The rule as JSON: its scope and id, then every field (null when not set).
std::string limit_rule_json(const limit_rule& r);

/// The period `unix_s` falls in, as an index that grows by one per period.
std::uint64_t period_index(budget_period p, std::int64_t unix_s);
/// When the period of `index` starts and ends (unix seconds).
std::int64_t period_start(budget_period p, std::uint64_t index);
std::int64_t period_end(budget_period p, std::uint64_t index);

}  // namespace sb
