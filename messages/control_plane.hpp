#pragma once
// What HTTP admin routes ask of the actors. Implemented over CAF in actors/control_plane_bridge;
// kept abstract so the HTTP layer does not depend on how the actors are reached. Callbacks may run
// on any thread: callers post back to their own executor.
#include <functional>
#include <optional>
#include <string>

#include "messages/config_types.hpp"

namespace sb {

class control_plane {
 public:
  virtual ~control_plane() = default;

  using update_callback =
      std::function<void(std::optional<gateway_config> applied, std::string error)>;

  /// Replaces one provider family's configuration; `done` runs once the change is durable.
  virtual void update_provider(provider_kind kind, provider_config next, update_callback done) = 0;

  /// Has connection `idx` of `kind` fetch its model list now (one-way; the catalog follows).
  virtual void refresh_models(provider_kind kind, int idx) = 0;
};

}  // namespace sb
