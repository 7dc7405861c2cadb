#pragma once
// Counters and latency histograms, lock-free (relaxed atomics), rendered as Prometheus text by
// GET /metrics. Every handled abnormal path bumps one named counter here; tests read /metrics.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace sb {

class latency_histogram {
 public:
  static constexpr std::array<double, 16> bounds_seconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   10.0, 60.0};

  void observe(std::uint64_t micros);
  /// Observes the time elapsed since `start`.
  void observe_since(std::chrono::steady_clock::time_point start) {
    observe(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - start)
                                           .count()));
  }
  /// Appends `name_bucket{labels,le=..}` lines, `name_sum` and `name_count`.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, bounds_seconds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_micros_{0};
  std::atomic<std::uint64_t> count_{0};
};

/// Token counts per request (OpenTelemetry's advice for gen_ai.client.token.usage: powers of 4).
class token_histogram {
 public:
  static constexpr std::array<std::uint64_t, 14> bounds = {
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
  void observe(std::uint64_t tokens);
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

/// One route's counters (the API layer keeps one per entry of its route table).
struct route_stats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};  // answered with status >= 400
  latency_histogram latency;
};

/// Per connection; lives in its upstream_endpoint.
struct upstream_stats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};  // transport failures and status >= 500
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> reused{0};         // requests sent on a pooled connection
  std::atomic<std::uint64_t> stale_retries{0};  // pooled connection found closed, retried fresh
  std::atomic<std::uint64_t> pool_discards{0};  // pooled connection closed or sent unasked bytes
  std::atomic<std::uint64_t> model_fetch_failures{0};
  std::atomic<std::int64_t> in_use{0};  // connections carrying a request now
  std::atomic<std::int64_t> idle{0};    // connections waiting in the pool
  latency_histogram latency;            // request sent -> response complete
};

struct gateway_metrics {
  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::int64_t> parked_connections{0};  // long idle: held without a coroutine
  std::atomic<std::int64_t> open_streams{0};
  std::atomic<std::uint64_t> client_cancels{0};  // client left while its request was served
  std::atomic<std::uint64_t> upstream_stream_errors{
      0};                                      // stream cut by the upstream, error frame sent
  std::atomic<std::uint64_t> bad_requests{0};  // unparsable / over-limit client requests
  std::atomic<std::uint64_t> overloaded{0};    // refused with 503: over the memory budget
  std::atomic<std::uint64_t> refused_connections{0};  // closed at once: MAX_CONNECTIONS reached
  std::atomic<std::uint64_t> config_updates{0};
  std::atomic<std::uint64_t> failovers{0};  // requests moved to another connection (connect failed)
  // Requests refused by a limit, by whose limit (user, key, model) and which (rpm, tpm, in
  // flight, budget).
  std::array<std::array<std::atomic<std::uint64_t>, 4>, 3> limit_refusals{};
};

}  // namespace sb
