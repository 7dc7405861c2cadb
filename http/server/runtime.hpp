#pragma once
// What the HTTP side of one gateway process shares: settings, I/O threads, TLS client context,
// metrics and the snapshots the actors publish. Created once in main, outlives every session.
#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "config/settings.hpp"
#include "http/auth/password_worker.hpp"
#include "http/auth/signin_throttle.hpp"
#include "http/server/io_pool.hpp"
#include "http/server/memory_budget.hpp"
#include "http/server/metrics.hpp"
#include "http/server/request_log.hpp"
#include "http/server/usage_meters.hpp"
#include "messages/account_types.hpp"
#include "messages/catalog_snapshot.hpp"
#include "messages/config_types.hpp"
#include "messages/custom_model_types.hpp"
#include "messages/limit_types.hpp"
#include "messages/cluster_types.hpp"
#include "messages/snapshot_cell.hpp"

namespace caf {
class actor_system;
}

namespace sb {

struct runtime {
  explicit runtime(settings s);

  settings cfg;
  io_pool io;
  boost::asio::ssl::context tls_client;  // verifies against the system store unless disabled
  gateway_metrics metrics;
  memory_budget buffers;  // bytes of request bodies and whole answers held at once
  snapshot_cell<catalog_snapshot> catalog;  // published by catalog_actor
  snapshot_cell<gateway_config> config;     // published by config_actor
  snapshot_cell<accounts_snapshot> accounts;  // published by accounts_actor
  snapshot_cell<models_snapshot> models;      // published by models_actor
  snapshot_cell<limits_snapshot> limits;      // published by limits_actor
  snapshot_cell<usage_meter_table> usage_meters;  // published by usage_actor
  snapshot_cell<cluster_status> cluster;          // published by cluster_actor (when on)
  // Whether that table limits anything: a request to a model with no limit set reads this alone.
  std::atomic<bool> limits_active{false};
  secret_string token_key;    // signs sign-in tokens (http/auth/secret_key.hpp)
  password_worker passwords;  // hashes and checks passwords off the I/O threads
  signin_throttle signins;    // slows password guessing per account and per client address
  request_sink request_log;   // the record stage's consumers (ACCESS_LOG, usage); empty: no records
  // Where authentication reports that a user is active (the accounts actor, one-way); empty:
  // nowhere (tests). Called at most once a minute per credential and I/O thread.
  std::function<void(const std::string& user_id)> note_active;
  std::atomic<bool> draining{false};
};

}  // namespace sb
