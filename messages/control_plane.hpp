#pragma once
// What HTTP admin routes ask of the actors. Implemented over CAF in actors/control_plane_bridge;
// kept abstract so the HTTP layer does not depend on how the actors are reached. Callbacks may run
// on any thread: callers post back to their own executor.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "messages/account_types.hpp"
#include "messages/config_types.hpp"
#include "messages/custom_model_types.hpp"
#include "messages/limit_types.hpp"
#include "messages/usage_types.hpp"

namespace sb {

class control_plane {
 public:
  virtual ~control_plane() = default;

  using update_callback = std::function<void(config_update_result)>;

  /// Applies an admin's update form for one provider family, made from one of the versions in
  /// `if_match` (empty: whichever is current); `done` runs once the change is durable, or with
  /// why it was not made.
  virtual void update_provider(provider_kind kind, std::string form,
                               std::vector<std::uint64_t> if_match, update_callback done) = 0;

  using account_callback = std::function<void(account_reply)>;

  /// Applies one change to the accounts; `done` runs once it is durable, or with why not.
  virtual void change_accounts(account_command cmd, account_callback done) = 0;

  using model_callback = std::function<void(model_reply)>;

  /// Applies one change to the custom models; `done` runs once it is durable, or with why not.
  virtual void change_models(model_command cmd, model_callback done) = 0;

  using limit_callback = std::function<void(limit_reply)>;

  /// Applies one change to the limit rules; `done` runs once it is durable, or with why not.
  virtual void change_limits(limit_command cmd, limit_callback done) = 0;

  using usage_callback = std::function<void(usage_table)>;

  /// The usage rows `q` asks for, added up as it asks (an error when usage tracking is off).
  virtual void read_usage(usage_query q, usage_callback done) = 0;

  /// Has connection `idx` of `kind` fetch its model list now (one-way; the catalog follows).
  virtual void refresh_models(provider_kind kind, int idx) = 0;
};

}  // namespace sb
