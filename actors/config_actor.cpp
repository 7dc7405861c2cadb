#include "actors/config_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <caf/all.hpp>

#include "config/connection_ids.hpp"

namespace sb {

namespace {

using config_pointer = config_actor::stateful_pointer<config_state>;

provider_config& family_of(gateway_config& cfg, provider_kind kind) {
  return kind == provider_kind::openai ? cfg.openai : cfg.ollama;
}

// Applies a family's new settings: ids kept where the connections are the same, a new version,
// stored durably, then published and broadcast.
config_update_result apply(config_pointer self, provider_kind kind, provider_config next) {
  auto& st = self->state;
  gateway_config cfg = st.current;
  auto& family = family_of(cfg, kind);
  assign_connection_ids(next, family, [] { return random_hex_id(12); });
  next.version = st.store ? st.store->tick() : st.clock.tick();
  family = std::move(next);
  cfg.version = family.version;
  std::string error;
  if (st.store && !st.store->save(cfg, error)) {
    spdlog::error("config_actor: {}", error);
    return {update_outcome::failed, st.current, error};
  }
  st.current = cfg;
  if (st.published) st.published->publish(std::make_shared<const gateway_config>(cfg));
  spdlog::info("configuration version {} applied ({} changed)", cfg.version, to_string(kind));
  for (auto& sub : st.subscribers) self->send(sub, config_changed_atom::value, cfg);
  return {update_outcome::applied, std::move(cfg), {}};
}

// A peer's change was merged into the store: what it holds now is the configuration.
void reload(config_pointer self) {
  auto& st = self->state;
  if (!st.store) return;
  std::string error;
  auto stored = st.store->load(error);
  if (!stored) {
    if (!error.empty()) spdlog::error("config_actor: cannot reload what a peer sent: {}", error);
    return;
  }
  if (*stored == st.current) return;
  st.current = std::move(*stored);
  st.clock.witness(st.current.version);
  if (st.published) st.published->publish(std::make_shared<const gateway_config>(st.current));
  spdlog::info("configuration version {} applied (from a peer)", st.current.version);
  for (auto& sub : st.subscribers) self->send(sub, config_changed_atom::value, st.current);
}

}  // namespace

config_actor::behavior_type config_actor_impl(config_pointer self,
                                              std::shared_ptr<config_store> store,
                                              gateway_config initial,
                                              snapshot_cell<gateway_config>* published,
                                              config_form_reader read_form) {
  self->state.store = std::move(store);
  self->state.current = std::move(initial);
  self->state.clock.witness(self->state.current.version);
  self->state.read_form = std::move(read_form);
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
      [self](update_atom, provider_kind kind, const std::string& form,
             const std::vector<std::uint64_t>& if_match) -> config_update_result {
        auto& st = self->state;
        auto& now = family_of(st.current, kind);
        // If-Match: the edit was made from one of these versions; any other means someone else
        // wrote since, and this edit would overwrite what it never saw.
        if (!if_match.empty() &&
            std::find(if_match.begin(), if_match.end(), now.version) == if_match.end())
          return {update_outcome::conflict, st.current, {}};
        std::string error;
        auto next = st.read_form(kind, form, now, error);
        if (!next) return {update_outcome::invalid, st.current, std::move(error)};
        return apply(self, kind, std::move(*next));
      },
      [self](subscribe_atom, config_subscriber sub) {
        self->monitor(sub);
        self->state.subscribers.push_back(sub);
        self->send(sub, config_changed_atom::value, self->state.current);
      },
      [self](merged_atom) { reload(self); },
  };
}

}  // namespace sb
