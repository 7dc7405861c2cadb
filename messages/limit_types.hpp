#pragma once
// Limits and budgets: the rules an admin sets (PUT /api/v1/limits/{scope}/{id}), stored and owned by
// the limits actor (actors/limits_actor.hpp), and the table it publishes for the admit stage
// (http/api/stages/admit.hpp): for each user, API key and model, the limits that apply and the
// counters they are counted in. Counters are shared by every I/O thread (atomics, no lock), so a
// limit holds for the node as a whole; they outlive a table rebuild, carried over by subject.
#include <caf/allowed_unsafe_message_type.hpp>
#include <array>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "messages/string_hash.hpp"

namespace sb {

/// Whom a rule is for. A user's own rule wins over their groups' (the tightest of them), which
/// win over the default; a group's rule applies to each member on their own. A key's and a
/// model's rules apply besides (a model's to all its traffic together). A connection's rule
/// only marks it free.
enum class limit_scope : std::uint8_t { user, group, key, model, fallback, connection };

enum class budget_period : std::uint8_t { day, week, month };

/// One rule as stored. A limit not set is none.
struct limit_rule {
  limit_scope scope = limit_scope::user;
  std::string id{};  // "*" for the default
  std::optional<std::uint64_t> rpm{}, tpm{}, max_in_flight{}, budget_tokens{};
  budget_period period = budget_period::month;
  // Tokens a request reserves for its answer when it does not say (max_tokens and the like):
  // a model's rule only; else LIMITS_DEFAULT_MAX_TOKENS.
  std::optional<std::uint64_t> max_output_tokens{};
  bool free = false;  // a model's or connection's: its usage counts against no budget
  std::int64_t updated_at = 0;
  friend bool operator==(const limit_rule&, const limit_rule&) = default;
};

std::string_view scope_name(limit_scope s);
std::optional<limit_scope> scope_named(std::string_view name);
std::string_view period_name(budget_period p);

/// The counts one subject's limits are kept in. Windows are whole minutes (unix minutes),
/// periods whole UTC days, ISO weeks or calendar months, each packed with its count into one
/// 64-bit word so a check and its increment are one compare-and-swap, and a new window never
/// loses a count made at its turn.
struct limit_counters {
  std::atomic<std::uint64_t> requests{0};  // minute << 32 | requests in it
  std::atomic<std::uint64_t> tokens{0};    // minute << 32 | tokens reserved and used in it
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> budget{0};    // period << 40 | tokens spent and reserved in it
  // In a cluster, budgets are leased (actors/budget_ledger.hpp) and `budget` counts what this
  // gateway spent and reserved: it may reach `allowance` (period << 40 | tokens granted to this
  // gateway). `held_elsewhere`: once nothing is left to grant, what the other gateways hold
  // unspent (all: tokens are still to be granted); a request needing more than that and what is
  // left here finds the budget exhausted, else more is on its way. `starved_need`: the most a
  // refused request needed (the ledger asks for that much).
  static constexpr std::uint64_t still_granting = ~std::uint64_t{0};
  std::atomic<std::uint64_t> allowance{0};
  std::atomic<std::uint64_t> held_elsewhere{still_granting};
  std::atomic<std::uint64_t> starved_need{0};
  // Changes whenever a new rule sets the budget (the limits actor's alone, which also runs the
  // ledger): grants confirmed before then count as spent.
  std::uint64_t budget_epoch = next_budget_epoch();
  static std::uint64_t next_budget_epoch() {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  static constexpr int budget_bits = 40;
  static constexpr std::uint64_t budget_mask = (std::uint64_t{1} << budget_bits) - 1;
  static std::uint64_t budget_word(std::uint64_t period, std::uint64_t tokens) {
    return period << budget_bits | std::min(tokens, budget_mask);
  }
  /// The tokens a budget word holds for `period` (a word of another period: none).
  static std::uint64_t budget_in(std::uint64_t word, std::uint64_t period) {
    return (word >> budget_bits) == period ? (word & budget_mask) : 0;
  }
  /// Adds `n` to the budget spent in `period` unless that passes `cap`; `left`: what was left.
  bool reserve_budget(std::uint64_t period, std::uint64_t n, std::uint64_t cap,
                      std::uint64_t& left) {
    auto seen = budget.load(std::memory_order_relaxed);
    for (;;) {
      auto spent = budget_in(seen, period);
      left = spent < cap ? cap - spent : 0;
      if (spent + n > cap) return false;
      if (budget.compare_exchange_weak(seen, budget_word(period, spent + n),
                                       std::memory_order_relaxed))
        return true;
    }
  }
};

/// Which limit a refusal names.
enum class limit_kind : std::uint8_t { rpm, tpm, in_flight, budget };
inline constexpr std::size_t limit_kinds = 4;

/// The limits of one user, key or model, and where each came from ("user", "group 'students'",
/// "default", "API key", "model 'm'") for the refusal's message.
struct limit_subject {
  std::optional<std::uint64_t> rpm{}, tpm{}, max_in_flight{}, budget_tokens{};
  budget_period period = budget_period::month;
  std::array<std::string, limit_kinds> source{};
  std::shared_ptr<limit_counters> counters = std::make_shared<limit_counters>();
  bool leased = false;  // a cluster's budget: spent up to counters->allowance
  bool any() const { return rpm || tpm || max_in_flight || budget_tokens; }
};

/// What the admit stage reads (immutable once published).
struct limits_snapshot {
  std::uint64_t generation = 0;
  std::vector<limit_rule> rules{};  // every rule, in (scope, id) order: GET /api/v1/limits/
  template <class T>
  using by_text = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;
  by_text<limit_subject> users{};
  // A user the table has no entry for yet (signed up a moment ago): the default's limits, in
  // counters they share until the next rebuild.
  std::optional<limit_subject> unlisted{};
  by_text<limit_subject> keys{};
  by_text<limit_subject> models{};
  by_text<std::uint64_t> max_output_tokens{};  // by model
  std::unordered_set<std::string, string_hash, std::equal_to<>> free_models{}, free_connections{};

  bool empty() const { return users.empty() && !unlisted && keys.empty() && models.empty(); }
};

// What the limit routes ask the limits actor.
struct put_limit {
  limit_rule rule;
};
struct delete_limit {
  limit_scope scope;
  std::string id;
};
using limit_command = std::variant<put_limit, delete_limit>;

enum class limit_status : std::uint8_t { done, not_found, failed };

struct limit_reply {
  limit_status status = limit_status::failed;
  std::string error{};
};

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::limit_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::limit_reply)
