#pragma once
// The models a connection's upstream answered 429 for, each left alone until its Retry-After
// runs out. Per model, not per connection: providers limit each model (or deployment) on its own,
// and one model's 429 must not turn away requests for the others.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb {

class model_throttles {
 public:
  /// `model` (the upstream's name) is not to be asked for `d`.
  void throttle(std::string_view model, std::chrono::milliseconds d);
  /// How long `model` is still to be left alone (0 when it is not). Read on every pick: one
  /// relaxed load while no throttle runs, a short locked scan while one does.
  std::chrono::milliseconds left(std::string_view model) const;

 private:
  static std::int64_t now_ticks() {
    return std::chrono::steady_clock::now().time_since_epoch().count();
  }
  std::atomic<std::int64_t> latest_{0};  // when the last running throttle ends (steady ticks)
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::int64_t>> until_;  // model, end (steady ticks)
};

}  // namespace sb
