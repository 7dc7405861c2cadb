#pragma once
// config_actor: owns the live gateway_config.
//
//   HTTP admin route ──update(kind, provider_config)──> config_actor ──save (RocksDB, sync)──> disk
//                    <──────── gateway_config ─────────┘    │
//                                                           ├─ publishes
//                                                           snapshot_cell<gateway_config> └─
//                                                           config_changed ──> every subscriber
//
// Runs detached (its own thread) in the gateway because RocksDB writes block.
#include <memory>

#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/config_store.hpp"

namespace sb {

struct config_state {
  std::shared_ptr<config_store> store;  // null: in-memory only (tests)
  gateway_config current;
  hybrid_clock clock;  // versions when there is no store (tests); else the store's
  std::vector<config_subscriber> subscribers;
  snapshot_cell<gateway_config>* published = nullptr;
  static inline const char* name = "config_actor";
};

config_actor::behavior_type config_actor_impl(config_actor::stateful_pointer<config_state> self,
                                              std::shared_ptr<config_store> store,
                                              gateway_config initial,
                                              snapshot_cell<gateway_config>* published);

}  // namespace sb
