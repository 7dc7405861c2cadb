#pragma once
// catalog_actor: merges every connection's model list into one catalog.
//
// clang-format off
//   upstream_actor ──models(upstream_models)──> catalog_actor ──publish──> snapshot_cell<catalog_snapshot>
//   connection_manager ──live(key, endpoint)──┘                              (read by HTTP sessions)
//                      ──remove(key)──────────┘
// clang-format on
//
// Merge rules follow Open WebUI: OpenAI lists are concatenated in connection order (no dedupe,
// each entry keeps its urlIdx); Ollama lists are deduplicated by model name with the connection
// indices collected in "urls". Unlike Open WebUI, a model served by several connections routes to
// all of them (Open WebUI sends every OpenAI request to the last one).
//
// Lists are kept by connection id (config/connection_ids.hpp), and ordered by where each
// connection is listed now. Only the endpoint the manager declared live for an id may set that
// id's list: a list already on its way from a stopped or replaced actor is dropped, so a disabled
// connection never comes back. A replaced connection (new URL or key, same id) keeps its list,
// routed through the new endpoint, until the new one has fetched its own, so a config change
// never makes models 404 meanwhile.
#include <map>

#include "actors/catalog_filters.hpp"
#include "messages/catalog_snapshot.hpp"
#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"

namespace sb {

struct catalog_state {
  std::map<std::string, upstream_models> lists;                      // by connection id
  std::map<std::string, std::shared_ptr<upstream_endpoint>> live;  // declared by the manager
  snapshot_cell<catalog_snapshot>* published = nullptr;
  balancing_choice balancing;
  std::shared_ptr<const catalog_snapshot> current;
  filter_stats_registry filter_stats;  // each Pipelines filter's counters, across rebuilds
  static inline const char* name = "catalog_actor";
};

/// Builds the snapshot for these lists (pure; exposed for tests and benchmarks).
std::shared_ptr<const catalog_snapshot> build_catalog(
    const std::map<std::string, upstream_models>& lists, std::uint64_t generation,
    const balancing_choice& balancing = {}, filter_stats_registry* filter_stats = nullptr);

catalog_actor::behavior_type catalog_actor_impl(catalog_actor::stateful_pointer<catalog_state> self,
                                                snapshot_cell<catalog_snapshot>* published,
                                                balancing_choice balancing);

}  // namespace sb
