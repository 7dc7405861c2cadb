#pragma once
// config_actor: owns the live gateway_config.
//
//   HTTP admin route ──update(kind, form, If-Match)──> config_actor ──save (RocksDB, sync)──> disk
//                    <──────── config_update_result ───────┘    │
//                                                               ├─ publishes snapshot_cell<gateway_config>
//                                                               └─ config_changed ──> every subscriber
//
// Runs detached (its own thread) in the gateway because RocksDB writes block.
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/config_store.hpp"

namespace sb {

/// Reads an admin's update form for one family against the family as it is now (masks resolved,
/// URLs and headers checked: http/api/config_json.hpp); nothing and `error` when refused.
using config_form_reader = std::function<std::optional<provider_config>(
    provider_kind, std::string_view form, const provider_config& current, std::string& error)>;

struct config_state {
  std::shared_ptr<config_store> store;  // null: in-memory only (tests)
  gateway_config current;
  hybrid_clock clock;  // versions when there is no store (tests); else the store's
  config_form_reader read_form;
  std::vector<config_subscriber> subscribers;
  snapshot_cell<gateway_config>* published = nullptr;
  static inline const char* name = "config_actor";
};

config_actor::behavior_type config_actor_impl(config_actor::stateful_pointer<config_state> self,
                                              std::shared_ptr<config_store> store,
                                              gateway_config initial,
                                              snapshot_cell<gateway_config>* published,
                                              config_form_reader read_form);

}  // namespace sb
