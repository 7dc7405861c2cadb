#include "actors/control_plane_bridge.hpp"

#include <caf/all.hpp>

namespace sb {

void control_plane_bridge::update_provider(provider_kind kind, provider_config next,
                                           update_callback done) {
  auto cfg = config_;
  auto* sys = &sys_;
  sys_.spawn([cfg, kind, next = std::move(next), done = std::move(done),
              sys](caf::event_based_actor* self) mutable {
    self->request(cfg, std::chrono::seconds(30), update_atom::value, kind, std::move(next))
        .then([done](gateway_config& applied) { done(std::move(applied), {}); },
              [done, sys](caf::error& err) { done(std::nullopt, sys->render(err)); });
  });
}

}  // namespace sb
