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
// is what the catalog routes point at. A failing list keeps the last good models (served stale,
// for at most MODELS_STALE_TTL) and retries back off from 1 s to the refresh interval; a list
// that cannot be fetched for want of a connection marks the connection unreachable. The last
// good answer is kept raw, so a new presentation (respec) is applied at once, without a fetch.
//
// Health from requests: every I/O thread reports how requests went, batched (outcome_batch). A
// run of consecutive failures (5xx, timeouts, broken or refused connections) ejects the
// connection for a time that doubles with each ejection (capped); a probe then asks the upstream
// (its list, or for connections listed from model_ids the verify path) and brings it back when it
// answers below 500. A request answered meanwhile (ejection never leaves a model without a
// connection, so some may go there) brings it back too. The decision is published on the
// endpoint, where routing reads it.
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

/// How a connection's actor keeps its list and judges its health (from settings).
struct health_params {
  std::chrono::milliseconds refresh_interval{10'000};  // between model-list fetches
  unsigned consecutive_failures = 5;                   // a run this long ejects
  std::chrono::milliseconds base_ejection{2'000};      // first ejection; doubles each time
  std::chrono::milliseconds max_ejection{60'000};
  // How long a list that can no longer be fetched is still served (0: for ever).
  std::chrono::milliseconds stale_models{0};
};

struct upstream_state {
  connection_spec spec;
  std::shared_ptr<upstream_endpoint> endpoint;
  catalog_actor catalog;
  model_fetcher fetch;
  health_params params;
  std::chrono::milliseconds backoff{1'000};
  std::uint64_t generation = 0;  // of the fetch in flight or last done
  std::uint64_t tick = 0;        // of the refresh timer that may act
  bool in_flight = false;
  bool again = false;  // a refresh was asked while a fetch was in flight: another one follows
  bool healthy = false;  // the model list: fetched and parsed last time
  std::vector<model_entry> models;
  bool pipelines = false;  // the last list came from a Pipelines server
  std::optional<std::string> last_body;  // the last list the upstream answered, unparsed
  std::chrono::steady_clock::time_point last_list_ok{};  // when the list last came
  bool listed_once = false;

  // Health from request outcomes (messages/health_types.hpp). `down` says why the connection is
  // not healthy: ejected after failing requests (probed back), or its list cannot be fetched
  // for want of a connection (the list refresh is then the probe).
  enum class down_cause { none, requests, model_list } down = down_cause::none;
  connection_health health = connection_health::healthy;
  std::uint32_t run = 0;  // consecutive failed requests
  std::uint32_t ejections = 0;
  std::chrono::steady_clock::time_point recovered_at{};
  std::uint64_t probe_tick = 0;        // of the probe timer that may act
  std::uint64_t probe_generation = 0;  // of the probe whose answer counts
  health_report report;                // published on the endpoint on every change
  static inline const char* name = "upstream_actor";
};

upstream_actor::behavior_type upstream_actor_impl(
    upstream_actor::stateful_pointer<upstream_state> self, connection_spec spec,
    std::shared_ptr<upstream_endpoint> endpoint, catalog_actor catalog, model_fetcher fetch,
    health_params params);

}  // namespace sb
