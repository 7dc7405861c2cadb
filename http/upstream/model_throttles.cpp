#include "http/upstream/model_throttles.hpp"

#include <algorithm>

namespace sb {

void model_throttles::throttle(std::string_view model, std::chrono::milliseconds d) {
  auto now = now_ticks();
  auto end = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
  std::lock_guard lock(mutex_);
  std::erase_if(until_, [&](auto& e) { return e.second <= now; });
  auto it = std::find_if(until_.begin(), until_.end(), [&](auto& e) { return e.first == model; });
  if (it == until_.end())
    until_.emplace_back(std::string(model), end);
  else
    it->second = end;  // the latest Retry-After is what the upstream says now
  std::int64_t latest = 0;
  for (auto& e : until_) latest = std::max(latest, e.second);
  latest_.store(latest, std::memory_order_relaxed);
}

std::chrono::milliseconds model_throttles::left(std::string_view model) const {
  auto latest = latest_.load(std::memory_order_relaxed);
  if (latest == 0) return std::chrono::milliseconds(0);
  auto now = now_ticks();
  if (latest <= now) return std::chrono::milliseconds(0);
  std::lock_guard lock(mutex_);
  for (auto& [name, end] : until_)
    if (name == model && end > now)
      return std::chrono::ceil<std::chrono::milliseconds>(std::chrono::steady_clock::duration(end - now));
  return std::chrono::milliseconds(0);
}

}  // namespace sb
