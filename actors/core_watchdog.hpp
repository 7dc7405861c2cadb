#pragma once
// core_watchdog: the actors routing depends on (config, connection manager, catalog) must never
// stop while the gateway runs. If one dies (an exception in a handler, a bug), the snapshots the
// data plane reads would silently freeze: models stuck, config writes hanging. The watchdog
// monitors them and reports the first death, once; main then logs it, drains and exits non-zero,
// so a supervisor restarts a healthy process.
//
// clang-format off
//   config_actor, connection_manager, catalog_actor ──down──> core_watchdog ──on_death──> main (exit 70)
// clang-format on
#include <caf/event_based_actor.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sb {

/// Called (on a CAF thread) with the dead actor's name and why it died.
using death_handler = std::function<void(const std::string& name, const std::string& reason)>;

/// Monitors each (name, actor); an actor that ends for any reason but user_shutdown (the
/// gateway's own orderly stop) is reported through `on_death`, the first one only.
caf::behavior core_watchdog(caf::event_based_actor* self,
                            std::vector<std::pair<std::string, caf::actor>> watched,
                            death_handler on_death);

}  // namespace sb
