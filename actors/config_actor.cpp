#include "actors/config_actor.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "config/connection_ids.hpp"

namespace sb {

config_actor::behavior_type config_actor_impl(config_actor::stateful_pointer<config_state> self,
                                              std::shared_ptr<config_store> store,
                                              gateway_config initial,
                                              snapshot_cell<gateway_config>* published) {
  self->state.store = std::move(store);
  self->state.current = std::move(initial);
  self->state.clock.witness(self->state.current.version);
  self->state.published = published;
  if (published) published->publish(std::make_shared<const gateway_config>(self->state.current));
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const config_subscriber& s) { return s.address() == dm.source; }),
               subs.end());
  });
  return {
      [self](get_atom) { return self->state.current; },
      [self](update_atom, provider_kind kind, provider_config next) -> caf::result<gateway_config> {
        auto& st = self->state;
        gateway_config cfg = st.current;
        auto& family = kind == provider_kind::openai ? cfg.openai : cfg.ollama;
        assign_connection_ids(next, family, [] { return random_hex_id(12); });
        next.version = st.store ? st.store->tick() : st.clock.tick();
        family = std::move(next);
        cfg.version = family.version;
        std::string error;
        if (st.store && !st.store->save(cfg, error)) {
          spdlog::error("config_actor: {}", error);
          return caf::make_error(caf::sec::runtime_error, error);
        }
        st.current = cfg;
        if (st.published) st.published->publish(std::make_shared<const gateway_config>(cfg));
        spdlog::info("configuration version {} applied ({} changed)", cfg.version, to_string(kind));
        for (auto& sub : st.subscribers) self->send(sub, config_changed_atom::value, cfg);
        return cfg;
      },
      [self](subscribe_atom, config_subscriber sub) {
        self->monitor(sub);
        self->state.subscribers.push_back(sub);
        self->send(sub, config_changed_atom::value, self->state.current);
      },
  };
}

}  // namespace sb
