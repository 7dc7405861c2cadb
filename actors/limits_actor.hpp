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
//
// In a cluster, budgets are leased (actors/budget_ledger.hpp): every 100 ms a round sets each
// budget's allowance, asks its owner for more, and grants as the owner; grants are written,
// then confirmed once the cluster gate says a majority holds them (actors/limits_leases.cpp).
// Runs detached (RocksDB blocks).
#include <atomic>
#include <memory>
#include <vector>

#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "actors/budget_ledger.hpp"
#include "storage/lease_store.hpp"
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
  // A cluster's: leases in the store, the ledger of this incarnation, the membership, and the
  // gate leases wait on for a majority. Null ledger: no cluster, budgets are this node's own.
  std::shared_ptr<lease_store> leases;
  std::unique_ptr<budget_ledger> ledger;
  cluster_view view;
  caf::actor gate;
  std::vector<leased_budget> budgets;  // the table's, in their periods as of `budgets_day`
  std::shared_ptr<const limits_snapshot> budgets_of;
  std::int64_t budgets_day = 0;
  static inline const char* name = "limits_actor";
};

using limits_pointer = limits_actor::stateful_pointer<limits_state>;

/// The first table, for `rules` as stored: main publishes it before the gateway listens, so no
/// request comes before its limits. The actor carries its counters over.
/// `leased`: in a cluster (budgets are leased).
limits_snapshot first_limit_table(const std::vector<limit_rule>& rules,
                                  const accounts_snapshot& accounts, usage_store* usage,
                                  bool leased = false);

/// `rules` as loaded; the actor carries over the counters of the table `published` holds.
/// `leases`: in a cluster, where budget leases are kept (null: no cluster).
limits_actor::behavior_type limits_actor_impl(limits_pointer self,
                                              std::shared_ptr<limit_store> store,
                                              std::shared_ptr<usage_store> usage,
                                              std::vector<limit_rule> rules,
                                              snapshot_cell<limits_snapshot>* published,
                                              std::atomic<bool>* active,
                                              std::shared_ptr<lease_store> leases = nullptr);

// The lease half (actors/limits_leases.cpp).
/// Loads the leases stored, makes this incarnation's ledger, starts the rounds.
void start_leases(limits_pointer self);
/// One round of the ledger, its writes stored and their grants sent to wait for a majority.
void lease_round(limits_pointer self);
/// Leases and asks a peer's batch brought.
void take_lease_records(limits_pointer self, const lease_records& r);

}  // namespace sb
