#include "actors/connection_manager.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {

using manager_pointer = connection_manager_actor::stateful_pointer<connection_manager_state>;

// Starts the actor and endpoint of `spec` (new, or replacing one whose URL, key, auth or headers
// changed), or leaves it out when its endpoint cannot be made (the catalog forgets it).
void start_connection(manager_pointer self, const connection_spec& spec) {
  auto& st = self->state;
  std::string error;
  auto ep = st.make_endpoint(spec, error);
  if (!ep) {
    spdlog::error("{} connection {} ignored: {}", to_string(spec.key.kind), spec.key.idx, error);
    self->send(st.catalog, remove_atom::value, spec.id);  // a replaced one leaves
    return;
  }
  // Declared live before the actor exists, so its first list cannot arrive before this.
  self->send(st.catalog, live_atom::value, live_connection{spec.key, ep});
  auto actor = self->spawn(upstream_actor_impl, spec, ep, st.catalog, st.fetch, st.params);
  // Request outcomes reach the actor batched, from the I/O threads.
  ep->set_outcome_sink(
      [actor](outcome_batch b) { caf::anon_send(actor, outcomes_atom::value, std::move(b)); });
  self->monitor(actor);
  st.connections.emplace(spec.id, connection_manager_state::running{spec, actor});
}

}  // namespace

connection_manager_actor::behavior_type connection_manager_impl(
    connection_manager_actor::stateful_pointer<connection_manager_state> self,
    catalog_actor catalog, endpoint_factory make_endpoint, model_fetcher fetch,
    health_params params) {
  auto& st = self->state;
  st.catalog = std::move(catalog);
  st.make_endpoint = std::move(make_endpoint);
  st.fetch = std::move(fetch);
  st.params = params;
  // An upstream actor that dies of an error (not stopped here) would leave its connection's list
  // frozen: treat it as the manager's own failure, which core_watchdog turns into an exit.
  self->set_down_handler([self](const caf::down_msg& msg) {
    if (msg.reason && msg.reason != caf::exit_reason::user_shutdown &&
        msg.reason != caf::exit_reason::kill) {
      spdlog::critical("an upstream actor died: {}", self->system().render(msg.reason));
      self->quit(msg.reason);
    }
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (auto& [key, r] : self->state.connections) self->send_exit(r.actor, msg.reason);
    self->state.connections.clear();
    self->quit(msg.reason);
  });
  return {
      [self](config_changed_atom, const gateway_config& cfg) {
        auto& st = self->state;
        std::map<std::string, connection_spec> wanted;  // by connection id
        for (auto& spec : connection_specs(cfg))
          if (spec.enable) wanted.emplace(spec.id, spec);
        for (auto it = st.connections.begin(); it != st.connections.end();) {
          auto w = wanted.find(it->first);
          if (w != wanted.end() && w->second == it->second.spec) {
            wanted.erase(w);  // unchanged: keep actor, pool and cache
            ++it;
            continue;
          }
          if (w != wanted.end() && same_connection(w->second, it->second.spec)) {
            // Only the list's presentation or position changed (prefix, tags, model_ids, urlIdx):
            // the actor re-renders it; routing, pool and health stay as they are.
            self->send(it->second.actor, respec_atom::value, spec_update{w->second});
            it->second.spec = w->second;
            wanted.erase(w);
            ++it;
            continue;
          }
          self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
          // A replaced one is restarted below; the catalog keeps its list meanwhile.
          if (w == wanted.end()) self->send(st.catalog, remove_atom::value, it->first);
          it = st.connections.erase(it);
        }
        for (auto& [id, spec] : wanted) start_connection(self, spec);
      },
      [self](refresh_atom, upstream_key key) {
        for (auto& [id, r] : self->state.connections)
          if (r.spec.key == key) self->send(r.actor, refresh_atom::value);
      },
      [self](status_atom) {
        std::vector<upstream_key> keys;
        for (auto& [id, r] : self->state.connections) keys.push_back(r.spec.key);
        std::sort(keys.begin(), keys.end());
        return keys;
      },
  };
}

}  // namespace sb
