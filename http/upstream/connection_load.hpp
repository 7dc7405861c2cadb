#pragma once
// What one I/O thread knows of one connection's load: its requests in flight from this thread and
// a peak-EWMA of their time to the first answer byte. Written only by its own thread (relaxed
// atomics, so the admin route and /metrics may read them from elsewhere), on a cache line of its
// own: two threads never write the same line, which is what makes per-request bookkeeping free of
// contention (a shared counter costs a cache-line transfer per request per thread).
// Each thread balances on its own view: with clients spread over the threads, each sees its share.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "messages/health_types.hpp"

namespace sb {

struct alignas(64) connection_load {
  std::atomic<std::uint32_t> in_flight{0};
  std::atomic<double> ewma_us{0.0};  // peak-EWMA of time to first byte, microseconds
  std::chrono::steady_clock::time_point ewma_at{};
  outcome_batch pending;  // outcomes not yet reported to the connection's actor
  bool report_queued = false;

  /// How long a past sample keeps weighing: samples older than a few of these hardly count.
  static constexpr double decay_us = 2'000'000.0;

  /// Peak-EWMA (Finagle's): a slower sample than the average replaces it at once, a faster one
  /// pulls it down with a weight that grows with the time since the last sample. Slowness shows
  /// on the first slow answer; recovery shows as fast answers come.
  void observe(std::chrono::steady_clock::time_point now, double sample_us) {
    double prev = ewma_us.load(std::memory_order_relaxed);
    double next = sample_us;
    if (sample_us < prev) {
      double elapsed = std::chrono::duration<double, std::micro>(now - ewma_at).count();
      double w = decay(elapsed / decay_us);
      next = prev * w + sample_us * (1.0 - w);
    }
    ewma_at = now;
    ewma_us.store(next, std::memory_order_relaxed);
  }

  /// The average as of `now`: it decays toward zero while no sample comes (Finagle's peak-EWMA
  /// does the same), so a connection that once looked slow or failed is tried again in time
  /// instead of being passed over for ever by a policy that picks the lowest. Only the owning
  /// thread calls this (it reads `ewma_at`).
  double ewma_at_time(std::chrono::steady_clock::time_point now) const {
    double v = ewma_us.load(std::memory_order_relaxed);
    if (v == 0.0) return 0.0;
    double elapsed = std::chrono::duration<double, std::micro>(now - ewma_at).count();
    return elapsed <= 0.0 ? v : v * decay(elapsed / decay_us);
  }

  /// exp(-x) for x >= 0. A busy connection's samples are microseconds apart (x tiny), where a
  /// short series is exact to 1e-7 and costs a few instructions instead of a libm call.
  static double decay(double x) {
    if (x <= 0.0) return 1.0;
    if (x < 0.01) return 1.0 - x + x * x * 0.5 - x * x * x / 6.0;
    return std::exp(-x);
  }
};

}  // namespace sb
