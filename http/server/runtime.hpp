#pragma once
// What the HTTP side of one gateway process shares: settings, I/O threads, TLS client context,
// metrics and the snapshots the actors publish. Created once in main, outlives every session.
#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "config/settings.hpp"
#include "http/server/io_pool.hpp"
#include "http/server/memory_budget.hpp"
#include "http/server/metrics.hpp"
#include "messages/catalog_snapshot.hpp"
#include "messages/config_types.hpp"
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
  std::atomic<bool> draining{false};
};

}  // namespace sb
