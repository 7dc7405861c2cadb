#include "actors/connection_manager.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

namespace sb {

connection_manager_actor::behavior_type connection_manager_impl(
    connection_manager_actor::stateful_pointer<connection_manager_state> self,
    catalog_actor catalog, endpoint_factory make_endpoint, model_fetcher fetch,
    std::chrono::milliseconds refresh_interval) {
  auto& st = self->state;
  st.catalog = std::move(catalog);
  st.make_endpoint = std::move(make_endpoint);
  st.fetch = std::move(fetch);
  st.refresh_interval = refresh_interval;
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (auto& [key, r] : self->state.connections) self->send_exit(r.actor, msg.reason);
    self->state.connections.clear();
    self->quit(msg.reason);
  });
  return {
      [self](config_changed_atom, const gateway_config& cfg) {
        auto& st = self->state;
        std::map<upstream_key, connection_spec> wanted;
        for (auto& spec : connection_specs(cfg))
          if (spec.enable) wanted.emplace(spec.key, spec);
        for (auto it = st.connections.begin(); it != st.connections.end();) {
          auto w = wanted.find(it->first);
          if (w != wanted.end() && w->second == it->second.spec) {
            wanted.erase(w);  // unchanged: keep actor, pool and cache
            ++it;
            continue;
          }
          self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
          self->send(st.catalog, remove_atom::value, it->first);
          it = st.connections.erase(it);
        }
        for (auto& [key, spec] : wanted) {
          std::string error;
          auto ep = st.make_endpoint(spec, error);
          if (!ep) {
            spdlog::error("{} connection {} ignored: {}", to_string(key.kind), key.idx, error);
            continue;
          }
          auto actor = self->spawn(upstream_actor_impl, spec, std::move(ep), st.catalog, st.fetch,
                                   st.refresh_interval);
          st.connections.emplace(key, connection_manager_state::running{spec, actor});
        }
      },
      [self](status_atom) {
        std::vector<upstream_key> keys;
        for (auto& [key, r] : self->state.connections) keys.push_back(key);
        return keys;
      },
  };
}

}  // namespace sb
