#pragma once
// limits_actor: owns the limit rules and the table the admit stage reads.
//
//   /api/v1/limits routes ──limit(command)──> limits_actor ──> RocksDB (sync)
//                         <──── limit_reply ───┘    │
//   accounts_actor ──accounts(snapshot)──────────>  ├─ builds the table (actors/limit_table.hpp)
//                                                   └─ publishes snapshot_cell<limits_snapshot>
//
// The table is rebuilt when a rule or the accounts change (a new user, a group's members), so
// the request path finds every user's limits and counters by one lookup. A new budget starts
// from the tokens already spent in its period, read from the usage rows (one scan per rebuild).
// Runs detached (RocksDB blocks).
#include <atomic>
#include <memory>
#include <vector>

#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/limit_store.hpp"
#include "storage/usage_store.hpp"

namespace sb {

struct limits_state {
  std::shared_ptr<limit_store> store;   // null: in memory only (tests)
  std::shared_ptr<usage_store> usage;   // for what budgets have spent (null: nothing)
  std::vector<limit_rule> rules;
  shared_accounts accounts;
  std::shared_ptr<const limits_snapshot> current = std::make_shared<const limits_snapshot>();
  snapshot_cell<limits_snapshot>* published = nullptr;
  std::atomic<bool>* active = nullptr;  // set while the table limits anything
  std::size_t members = 1;              // gateways up in the cluster, this one included
  static inline const char* name = "limits_actor";
};

/// The first table, for `rules` as stored: main publishes it before the gateway listens, so no
/// request comes before its limits. The actor carries its counters over.
limits_snapshot first_limit_table(const std::vector<limit_rule>& rules,
                                  const accounts_snapshot& accounts, usage_store* usage);

/// `rules` as loaded; the actor carries over the counters of the table `published` holds.
limits_actor::behavior_type limits_actor_impl(limits_actor::stateful_pointer<limits_state> self,
                                              std::shared_ptr<limit_store> store,
                                              std::shared_ptr<usage_store> usage,
                                              std::vector<limit_rule> rules,
                                              snapshot_cell<limits_snapshot>* published,
                                              std::atomic<bool>* active);

}  // namespace sb
