#include "actors/cluster_start.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/cluster_actor.hpp"
#include "storage/account_store.hpp"
#include "storage/config_records.hpp"
#include "storage/lease_store.hpp"
#include "storage/limit_store.hpp"
#include "storage/model_store.hpp"

namespace sb {

namespace {

merge_listener route_merges(record_owners owners) {
  return [owners](const std::vector<record>& stored) {
    std::set<std::string_view> kinds;
    lease_records leases;
    for (auto& r : stored) {
      kinds.insert(r.kind);
      if (r.kind == lease_kind || r.kind == want_kind) leases.records.push_back(r);
    }
    auto any = [&](std::initializer_list<std::string_view> names) {
      for (auto n : names)
        if (kinds.count(n)) return true;
      return false;
    };
    if (any({provider_kind_name, connection_kind_name}))
      caf::anon_send(owners.config, merged_atom::value);
    if (any({account_store::user_kind, account_store::key_kind, account_store::group_kind,
             account_store::revoked_kind, account_store::setting_kind,
             account_store::activity_kind}))
      caf::anon_send(owners.accounts, merged_atom::value);
    if (any({model_store::kind})) caf::anon_send(owners.models, merged_atom::value);
    if (any({limit_store::kind})) caf::anon_send(owners.limits, merged_atom::value);
    // Leases go as they are: the limits actor takes the larger of each count.
    if (!leases.records.empty()) caf::anon_send(owners.limits, std::move(leases));
    // Usage rows have no owner to tell: queries read them from the store.
  };
}

}  // namespace

void prepare_cluster(caf::actor_system_config& cfg, const settings::cluster_settings& c) {
  cfg.load<caf::io::middleman>();
  if (c.tls()) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = c.tls_cert;
    cfg.openssl_key = c.tls_key;
    cfg.openssl_cafile = c.tls_ca;
  }
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(5)});
}

caf::actor start_cluster(caf::actor_system& sys, const settings::cluster_settings& c,
                         std::shared_ptr<record_store> records, record_owners owners,
                         snapshot_cell<cluster_status>* published, std::string& error) {
  cluster_options options;
  options.secret = c.secret.reveal();
  options.quorum_timeout = c.quorum_timeout;
  options.tls = c.tls();
  for (auto& p : c.peers) options.peers.push_back({p.host, p.port});
  members_listener on_members = [limits = owners.limits](const cluster_view& v) {
    caf::anon_send(limits, members_atom::value, v);
  };
  auto gate = sys.spawn<caf::detached>(cluster_actor_impl, std::move(options), records,
                                       route_merges(owners), std::move(on_members), published);
  records->on_change([gate](std::uint64_t at) { caf::anon_send(gate, feed_atom::value, at); });
  caf::anon_send(owners.limits, quorum_atom::value, gate);  // leases wait for a majority
  if (c.port != 0) {
    auto port = c.tls() ? caf::openssl::publish(gate, c.port, c.host.c_str(), true)
                        : sys.middleman().publish(gate, c.port, c.host.c_str(), true);
    if (!port) {
      error = "cannot publish the cluster gate on " + c.host + ":" + std::to_string(c.port) +
              ": " + sys.render(port.error());
      caf::anon_send_exit(gate, caf::exit_reason::user_shutdown);
      return nullptr;
    }
  }
  spdlog::info("cluster: node '{}', gate on {}:{}, {} peers to dial{}", records->node(),
               c.port ? c.host : "(none)", c.port, c.peers.size(),
               c.tls() ? ", over TLS" : "");
  return gate;
}

}  // namespace sb
