#pragma once
// connection_manager: keeps one upstream_actor per enabled connection, in step with the config.
//
// clang-format off
//   config_actor ──config_changed(cfg)──> connection_manager ──spawn / respec / exit──> upstream_actor
//                                                 ├──live(key, endpoint)──> catalog_actor
//                                                 └──remove(id)───────────> catalog_actor
// clang-format on
//
// Connections are known by their stable id. One whose spec is unchanged keeps its actor, pool and
// cache; one whose change only touches how its list is presented (prefix_id, tags, model_ids) or
// where it is listed (urlIdx, after another was removed) keeps them too and is told the new spec; one whose URL, key, auth or headers changed is replaced (new pool, new list; the catalog
// serves the old list meanwhile); a removed or disabled one is stopped and leaves the catalog.
#include <functional>
#include <map>
#include <memory>

#include "actors/upstream_actor.hpp"
#include "messages/protocols.hpp"

namespace sb {

/// Creates the data-plane endpoint of a connection, or returns null with a reason (bad URL).
using endpoint_factory =
    std::function<std::shared_ptr<upstream_endpoint>(const connection_spec&, std::string& error)>;

struct connection_manager_state {
  struct running {
    connection_spec spec;
    upstream_actor actor;
  };
  std::map<std::string, running> connections;  // by connection id
  catalog_actor catalog;
  endpoint_factory make_endpoint;
  model_fetcher fetch;
  health_params params;
  static inline const char* name = "connection_manager";
};

connection_manager_actor::behavior_type connection_manager_impl(
    connection_manager_actor::stateful_pointer<connection_manager_state> self,
    catalog_actor catalog, endpoint_factory make_endpoint, model_fetcher fetch,
    health_params params);

}  // namespace sb
