#pragma once
// What the request path tells a connection's upstream_actor about how its requests went, and what
// the actor decides from it. The request path never sends a message per request: each I/O thread
// adds its outcomes up and sends one outcome_batch per connection every few milliseconds
// (http/upstream/outcome_batcher.hpp), so a busy gateway wakes an actor at most a few hundred
// times a second whatever its request rate.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sb {

/// How one request to a connection ended, as far as the connection's health goes.
enum class request_outcome : std::uint8_t {
  answered,         // a final answer below 500 (a 4xx is the caller's doing, not the upstream's)
  server_error,     // 5xx: a failure, not a sign of life
  throttled,        // 429: neither (Retry-After says when to come back)
  timeout,          // no answer in time
  connect_failure,  // refused, unresolvable, or no connection in time
  reset,            // the connection broke after the request was sent
  cancelled,        // the client left first: says nothing about the upstream
};

/// One I/O thread's outcomes for one connection since its last report.
struct outcome_batch {
  std::uint32_t answered = 0;
  std::uint32_t server_errors = 0;
  std::uint32_t throttled = 0;
  std::uint32_t timeouts = 0;
  std::uint32_t connect_failures = 0;
  std::uint32_t resets = 0;
  // Failures after the batch's last answer (all of them when nothing was answered): how a run of
  // consecutive failures carries across batches.
  std::uint32_t trailing_failures = 0;

  std::uint32_t failures() const { return server_errors + timeouts + connect_failures + resets; }
  bool empty() const { return answered + throttled + failures() == 0; }
  void add(request_outcome o) {
    switch (o) {
      case request_outcome::answered: ++answered; trailing_failures = 0; return;
      case request_outcome::server_error: ++server_errors; break;
      case request_outcome::throttled: ++throttled; return;
      case request_outcome::timeout: ++timeouts; break;
      case request_outcome::connect_failure: ++connect_failures; break;
      case request_outcome::reset: ++resets; break;
      case request_outcome::cancelled: return;
    }
    ++trailing_failures;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome_batch& x) {
  return f(caf::meta::type_name("outcome_batch"), x.answered, x.server_errors, x.throttled,
           x.timeouts, x.connect_failures, x.resets, x.trailing_failures);
}

/// A connection's health as the request path reads it (published by its upstream_actor).
///  - healthy: routed by the policy.
///  - ejected: failing (consecutive 5xx, timeouts, resets); routed only when no candidate of the
///    model is healthy, so an ejection never leaves a model without a connection.
///  - unreachable: cannot be connected to (requests or model-list fetches failed to connect);
///    never routed: when every candidate of a model is, the request gets a fast 503.
enum class connection_health : std::uint8_t { healthy, ejected, unreachable };

inline const char* to_string(connection_health h) {
  switch (h) {
    case connection_health::healthy: return "healthy";
    case connection_health::ejected: return "ejected";
    case connection_health::unreachable: return "unreachable";
  }
  return "?";
}

/// One change of a connection's health, for the admin route.
struct health_event {
  std::int64_t at_ms = 0;  // Unix time, milliseconds
  std::string what;
};

/// A connection's health as its upstream_actor last published it (GET /api/v1/gateway/upstreams).
struct health_report {
  connection_health health = connection_health::healthy;
  std::string reason;  // why it is not healthy
  std::uint32_t consecutive_failures = 0;
  std::uint32_t ejections = 0;     // times ejected since it was last healthy for long
  std::int64_t probe_at_ms = 0;    // when the next probe runs, while not healthy
  std::uint64_t answered = 0;      // outcomes since the connection started
  std::uint64_t server_errors = 0;
  std::uint64_t throttled = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t resets = 0;
  // The last changes, oldest first: shared between reports, so that publishing the counts with
  // every outcome batch does not copy it.
  std::shared_ptr<const std::vector<health_event>> history =
      std::make_shared<const std::vector<health_event>>();
};

}  // namespace sb
