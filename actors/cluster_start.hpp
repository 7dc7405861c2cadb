#pragma once
// Wiring a node into its cluster (actors/cluster_actor.hpp): the middleman loaded before the
// actor system exists, the gate published at CLUSTER_PORT, merges routed to the actors that own
// each record kind, the record store's feed told to the gate.
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <memory>
#include <string>

#include "config/settings.hpp"
#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/record_store.hpp"

namespace sb {

/// Loads CAF's middleman into `cfg` (before the actor system is made), with heartbeats that
/// find a silent peer within seconds, and its OpenSSL module with the certificates when TLS is
/// configured.
void prepare_cluster(caf::actor_system_config& cfg, const settings::cluster_settings& c);

/// The actors that own the stored kinds: a merge of a peer's records is sent to them.
struct record_owners {
  config_actor config;
  accounts_actor accounts;
  models_actor models;
  limits_actor limits;
};

/// Spawns the gate, publishes it (when a port is set) and starts dialling the peers. Null and
/// `error` when the port cannot be bound.
caf::actor start_cluster(caf::actor_system& sys, const settings::cluster_settings& c,
                         std::shared_ptr<record_store> records, record_owners owners,
                         snapshot_cell<cluster_status>* published, std::string& error);

}  // namespace sb
