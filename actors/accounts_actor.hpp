#pragma once
// accounts_actor: owns users, API keys and groups.
//
//   HTTP route (sign-up, admin edits, API keys) ──account(command)──> accounts_actor ──> RocksDB (sync)
//                                              <──── account_reply ────┘   │
//                                                                          └─ publishes snapshot_cell<accounts_snapshot>
//
// Every rule that two requests could race on is decided here, one change at a time: an email
// taken, the first user becoming admin, the primary admin kept. Runs detached (RocksDB blocks).
#include <chrono>
#include <memory>
#include <vector>
#include <string>
#include <unordered_set>

#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/account_store.hpp"

namespace sb {

/// How long `active` reports gather before last_active_at is written for them.
inline constexpr std::chrono::seconds activity_window{5};

struct accounts_state {
  std::shared_ptr<account_store> store;  // null: in memory only (tests)
  std::shared_ptr<const accounts_snapshot> current;
  snapshot_cell<accounts_snapshot>* published = nullptr;
  std::unordered_set<std::string> active;  // users seen since the last flush
  bool flush_armed = false;
  std::vector<accounts_subscriber> followers;  // told of every change
  static inline const char* name = "accounts_actor";
};

accounts_actor::behavior_type accounts_actor_impl(
    accounts_actor::stateful_pointer<accounts_state> self, std::shared_ptr<account_store> store,
    accounts_snapshot initial, snapshot_cell<accounts_snapshot>* published);

}  // namespace sb
