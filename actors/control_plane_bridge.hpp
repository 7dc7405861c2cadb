#pragma once
// control_plane over CAF: admin writes from HTTP sessions become requests to the config,
// accounts and models actors, usage reads requests to the usage actor.
// Each write spawns one short-lived actor to carry the request; that costs tens of microseconds,
// which admin writes can afford and the data plane never pays. With a write quorum, that actor
// then waits for the cluster gate to say a majority holds the write before it answers.
#include <caf/actor_system.hpp>

#include "messages/control_plane.hpp"
#include "messages/protocols.hpp"

namespace sb {

class control_plane_bridge : public control_plane {
 public:
  /// `quorum`: the cluster gate, when a write is acknowledged only once a majority of the
  /// gateways holds it (CLUSTER_WRITE_QUORUM=majority); else null.
  control_plane_bridge(caf::actor_system& sys, config_actor config,
                       connection_manager_actor manager, accounts_actor accounts,
                       models_actor models, limits_actor limits, usage_actor usage,
                       caf::actor quorum = {})
      : sys_(sys),
        config_(std::move(config)),
        manager_(std::move(manager)),
        accounts_(std::move(accounts)),
        models_(std::move(models)),
        limits_(std::move(limits)),
        usage_(std::move(usage)),
        quorum_(std::move(quorum)) {}
  void update_provider(provider_kind kind, std::string form, std::vector<std::uint64_t> if_match,
                       update_callback done) override;
  void change_accounts(account_command cmd, account_callback done) override;
  void change_models(model_command cmd, model_callback done) override;
  void change_limits(limit_command cmd, limit_callback done) override;
  void read_usage(usage_query q, usage_callback done) override;
  void refresh_models(provider_kind kind, int idx) override;

 private:
  caf::actor_system& sys_;
  config_actor config_;
  connection_manager_actor manager_;
  accounts_actor accounts_;
  models_actor models_;
  limits_actor limits_;
  usage_actor usage_;  // null when usage tracking is off
  caf::actor quorum_;
};

}  // namespace sb
