#pragma once
// upstream_actor: one per enabled connection.
//
// clang-format off
//   connection_manager ──spawn(spec)──> upstream_actor ──fetch(path)──> I/O thread (GET /models)
//                      ──respec(spec)──>    ^   │  <──fetched(result)──────┘
//                                 refresh tick  │
//                                               └──models(upstream_models)──> catalog_actor
// clang-format on
//
// Owns the connection's model-list cache and health; its upstream_endpoint (pool, auth, counters)
// is what the catalog routes point at. A failing list keeps the last good models (served stale)
// and marks the connection unhealthy; retries back off from 1 s to the refresh interval. The last
// good answer is kept raw, so a new presentation (respec) is applied at once, without a fetch.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "messages/protocols.hpp"

namespace sb {

/// Runs one model-list GET on the data plane and reports the outcome through `done` (on any
/// thread). Injected so actor tests run without sockets.
using model_fetcher =
    std::function<void(std::shared_ptr<upstream_endpoint> ep, std::string path,
                       std::uint64_t generation, std::function<void(fetch_result)> done)>;

struct upstream_state {
  connection_spec spec;
  std::shared_ptr<upstream_endpoint> endpoint;
  catalog_actor catalog;
  model_fetcher fetch;
  std::chrono::milliseconds refresh_interval{10'000};
  std::chrono::milliseconds backoff{1'000};
  std::uint64_t generation = 0;  // of the fetch in flight or last done
  std::uint64_t tick = 0;        // of the refresh timer that may act
  bool in_flight = false;
  bool healthy = false;
  std::vector<model_entry> models;
  std::optional<std::string> last_body;  // the last list the upstream answered, unparsed
  static inline const char* name = "upstream_actor";
};

upstream_actor::behavior_type upstream_actor_impl(
    upstream_actor::stateful_pointer<upstream_state> self, connection_spec spec,
    std::shared_ptr<upstream_endpoint> endpoint, catalog_actor catalog, model_fetcher fetch,
    std::chrono::milliseconds refresh_interval);

}  // namespace sb
