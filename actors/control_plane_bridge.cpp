#include "actors/control_plane_bridge.hpp"

#include <caf/all.hpp>

namespace sb {

namespace {

// The short-lived actor that carries one admin write to the config actor and its answer back.
// Its state travels as spawn arguments, not lambda captures: CAF 0.17 binds a reference to a null
// argument tuple when an actor function takes none (UBSan reports it).
void bridge_update(caf::event_based_actor* self, config_actor cfg, provider_kind kind,
                   provider_config next, control_plane::update_callback done,
                   caf::actor_system* sys) {
  self->request(cfg, std::chrono::seconds(30), update_atom::value, kind, std::move(next))
      .then([done](gateway_config& applied) { done(std::move(applied), {}); },
            [done, sys](caf::error& err) { done(std::nullopt, sys->render(err)); });
}

}  // namespace

void control_plane_bridge::update_provider(provider_kind kind, provider_config next,
                                           update_callback done) {
  sys_.spawn(bridge_update, config_, kind, std::move(next), std::move(done), &sys_);
}

void control_plane_bridge::refresh_models(provider_kind kind, int idx) {
  caf::anon_send(manager_, refresh_atom::value, upstream_key{kind, idx});
}

}  // namespace sb
