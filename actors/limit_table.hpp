#pragma once
// Builds the table the admit stage reads (limits_snapshot) from the rules and the accounts: each
// user's own limits (their rule, else the tightest of their groups', else the default's), each
// key's and each model's. Counters of a subject that was in the table before are kept (a window or
// a budget does not restart because a rule changed); a new subject's budget starts from what it
// has spent already in the period (`spent`, read from the usage rows).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "messages/account_types.hpp"
#include "messages/limit_types.hpp"

namespace sb {

/// Tokens already spent in the period that starts at `since` (unix seconds) by a user, key or
/// model (`scope` and `id`), free models and connections not counted.
using spent_reader =
    std::function<std::int64_t(limit_scope scope, const std::string& id, std::int64_t since)>;

/// How this gateway counts in a cluster: `members` up (this one included), each admitting its
/// share of every rate limit (rpm, tpm, max_in_flight): ceil(limit / members). With `leased`,
/// budgets are kept whole by their owners and spent here up to what they granted this gateway
/// (actors/budget_ledger.hpp); else each budget starts from what its subject spent already.
struct limit_sharing {
  std::size_t members = 1;
  bool leased = false;
};

limits_snapshot build_limit_table(const std::vector<limit_rule>& rules,
                                  const accounts_snapshot& accounts, const limits_snapshot& before,
                                  const spent_reader& spent, std::int64_t now_s,
                                  limit_sharing sharing = {});

}  // namespace sb
