#pragma once
// catalog_actor: merges every connection's model list into one catalog.
//
//   upstream_actor ──models(upstream_models)──> catalog_actor ──publish──>
//   snapshot_cell<catalog_snapshot> connection_manager ──remove(key)──────────┘ (read by HTTP
//   sessions)
//
// Merge rules follow Open WebUI: OpenAI lists are concatenated in connection order (no dedupe,
// each entry keeps its urlIdx); Ollama lists are deduplicated by model name with the connection
// indices collected in "urls". Unlike Open WebUI, a model served by several connections routes to
// all of them (Open WebUI sends every OpenAI request to the last one).
#include <map>

#include "messages/catalog_snapshot.hpp"
#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"

namespace sb {

struct catalog_state {
  std::map<upstream_key, upstream_models> lists;  // ordered: openai by index, then ollama
  snapshot_cell<catalog_snapshot>* published = nullptr;
  std::shared_ptr<const catalog_snapshot> current;
  static inline const char* name = "catalog_actor";
};

/// Builds the snapshot for these lists (pure; exposed for tests and benchmarks).
std::shared_ptr<const catalog_snapshot> build_catalog(
    const std::map<upstream_key, upstream_models>& lists, std::uint64_t generation);

catalog_actor::behavior_type catalog_actor_impl(catalog_actor::stateful_pointer<catalog_state> self,
                                                snapshot_cell<catalog_snapshot>* published);

}  // namespace sb
