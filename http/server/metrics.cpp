#include "http/server/metrics.hpp"

#include <fmt/format.h>

namespace sb {

void latency_histogram::observe(std::uint64_t micros) {
  double s = static_cast<double>(micros) / 1e6;
  std::size_t i = 0;
  while (i < bounds_seconds.size() && s > bounds_seconds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void latency_histogram::render(std::string& out, const std::string& name,
                               const std::string& labels) const {
  std::uint64_t cumulative = 0;
  auto sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < bounds_seconds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep,
                   bounds_seconds[i], cumulative);
  }
  cumulative += buckets_.back().load(std::memory_order_relaxed);
  fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep,
                 cumulative);
  fmt::format_to(std::back_inserter(out), "{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, labels,
                 static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6, name,
                 labels, count_.load(std::memory_order_relaxed));
}

void token_histogram::observe(std::uint64_t tokens) {
  std::size_t i = 0;
  while (i < bounds.size() && tokens > bounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(tokens, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void token_histogram::render(std::string& out, const std::string& name,
                             const std::string& labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"{}\"}} {}\n", name, labels,
                   bounds[i], cumulative);
  }
  cumulative += buckets_.back().load(std::memory_order_relaxed);
  fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels,
                 cumulative);
  fmt::format_to(std::back_inserter(out), "{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, labels,
                 sum_.load(std::memory_order_relaxed), name, labels,
                 count_.load(std::memory_order_relaxed));
}

}  // namespace sb
