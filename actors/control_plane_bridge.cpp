#include "actors/control_plane_bridge.hpp"

#include <caf/all.hpp>

namespace sb {

namespace {

constexpr const char* quorum_missed =
    "stored on this gateway, but a majority of the cluster did not confirm it in time "
    "(CLUSTER_WRITE_QUORUM=majority); it reaches the other gateways when they are back: see GET "
    "/api/v1/cluster";

// Answers `r` once a majority holds what was stored (at once without a quorum, or when the write
// stored nothing); else what `missed` makes of the failure.
template <class Reply, class Missed>
void after_quorum(caf::event_based_actor* self, const caf::actor& quorum, Reply r, bool stored,
                  std::function<void(Reply)> done, Missed missed) {
  if (!quorum || !stored) return done(std::move(r));
  self->request(quorum, caf::infinite, quorum_atom::value)
      .then([done, r, missed](bool held) { done(held ? r : missed(quorum_missed)); },
            [done, missed](caf::error&) { done(missed(quorum_missed)); });
}

// The short-lived actor that carries one admin write to the config actor and its answer back.
// Its state travels as spawn arguments, not lambda captures: CAF 0.17 binds a reference to a null
// argument tuple when an actor function takes none (UBSan reports it).
void bridge_update(caf::event_based_actor* self, config_actor cfg, provider_kind kind,
                   std::string form, std::vector<std::uint64_t> if_match,
                   control_plane::update_callback done, caf::actor_system* sys,
                   caf::actor quorum) {
  self->request(cfg, std::chrono::seconds(30), update_atom::value, kind, std::move(form),
                std::move(if_match))
      .then([self, done, quorum](config_update_result& r) {
              bool stored = r.outcome == update_outcome::applied;
              after_quorum(self, quorum, std::move(r), stored, done, [](std::string why) {
                return config_update_result{update_outcome::failed, gateway_config{}, std::move(why)};
              });
            },
            [done, sys](caf::error& err) {
              done({update_outcome::failed, gateway_config{}, sys->render(err)});
            });
}

void bridge_accounts(caf::event_based_actor* self, accounts_actor accounts, account_command cmd,
                     control_plane::account_callback done, caf::actor_system* sys,
                     caf::actor quorum) {
  self->request(accounts, std::chrono::seconds(30), account_atom::value, std::move(cmd))
      .then([self, done, quorum](account_reply& r) {
              bool stored = r.status == account_status::done;
              after_quorum(self, quorum, std::move(r), stored, done, [](std::string why) {
                return account_reply{account_status::failed, std::move(why), std::nullopt,
                                     std::nullopt, nullptr};
              });
            },
            [done, sys](caf::error& err) {
              done({account_status::failed, sys->render(err), std::nullopt, std::nullopt, nullptr});
            });
}

void bridge_models(caf::event_based_actor* self, models_actor models, model_command cmd,
                   control_plane::model_callback done, caf::actor_system* sys, caf::actor quorum) {
  self->request(models, std::chrono::seconds(30), model_atom::value, std::move(cmd))
      .then([self, done, quorum](model_reply& r) {
              bool stored = r.status == model_status::done;
              after_quorum(self, quorum, std::move(r), stored, done, [](std::string why) {
                return model_reply{model_status::failed, std::move(why), nullptr};
              });
            },
            [done, sys](caf::error& err) { done({model_status::failed, sys->render(err), nullptr}); });
}

void bridge_limits(caf::event_based_actor* self, limits_actor limits, limit_command cmd,
                   control_plane::limit_callback done, caf::actor_system* sys, caf::actor quorum) {
  self->request(limits, std::chrono::seconds(30), limit_atom::value, std::move(cmd))
      .then([self, done, quorum](limit_reply& r) {
              bool stored = r.status == limit_status::done;
              after_quorum(self, quorum, std::move(r), stored, done, [](std::string why) {
                return limit_reply{limit_status::failed, std::move(why)};
              });
            },
            [done, sys](caf::error& err) { done({limit_status::failed, sys->render(err)}); });
}

void bridge_usage(caf::event_based_actor* self, usage_actor usage, usage_query q,
                  control_plane::usage_callback done, caf::actor_system* sys) {
  self->request(usage, std::chrono::seconds(30), usage_atom::value, std::move(q))
      .then([done](usage_table& t) { done(std::move(t)); },
            [done, sys](caf::error& err) { done({{}, sys->render(err)}); });
}

}  // namespace

void control_plane_bridge::change_limits(limit_command cmd, limit_callback done) {
  sys_.spawn(bridge_limits, limits_, std::move(cmd), std::move(done), &sys_, quorum_);
}

void control_plane_bridge::read_usage(usage_query q, usage_callback done) {
  if (!usage_) {
    done({{}, "usage tracking is off (USAGE_TRACKING=false)"});
    return;
  }
  sys_.spawn(bridge_usage, usage_, std::move(q), std::move(done), &sys_);
}

void control_plane_bridge::change_models(model_command cmd, model_callback done) {
  sys_.spawn(bridge_models, models_, std::move(cmd), std::move(done), &sys_, quorum_);
}

void control_plane_bridge::change_accounts(account_command cmd, account_callback done) {
  sys_.spawn(bridge_accounts, accounts_, std::move(cmd), std::move(done), &sys_, quorum_);
}

void control_plane_bridge::update_provider(provider_kind kind, std::string form,
                                           std::vector<std::uint64_t> if_match,
                                           update_callback done) {
  sys_.spawn(bridge_update, config_, kind, std::move(form), std::move(if_match), std::move(done),
             &sys_, quorum_);
}

void control_plane_bridge::refresh_models(provider_kind kind, int idx) {
  caf::anon_send(manager_, refresh_atom::value, upstream_key{kind, idx});
}

}  // namespace sb
