#include "actors/core_watchdog.hpp"

#include <caf/all.hpp>
#include <map>
#include <memory>

namespace sb {

caf::behavior core_watchdog(caf::event_based_actor* self,
                            std::vector<std::pair<std::string, caf::actor>> watched,
                            death_handler on_death) {
  auto names = std::make_shared<std::map<caf::actor_addr, std::string>>();
  for (auto& [name, actor] : watched) {
    names->emplace(actor.address(), name);
    self->monitor(actor);
  }
  auto reported = std::make_shared<bool>(false);
  self->set_down_handler([self, names, reported, on_death](const caf::down_msg& msg) {
    if (msg.reason == caf::exit_reason::user_shutdown || *reported) return;
    *reported = true;
    auto it = names->find(msg.source);
    on_death(it != names->end() ? it->second : "an actor",
             msg.reason ? self->system().render(msg.reason) : "it stopped");
  });
  return {[](const caf::down_msg&) {}};
}

}  // namespace sb
