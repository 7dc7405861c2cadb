#include "http/auth/signin_throttle.hpp"

namespace sb {

std::int64_t signin_throttle::wait_for(times& t, unsigned limit, clock::time_point now) {
  while (!t.empty() && now - t.front() >= window_) t.pop_front();
  if (t.size() < limit) return 0;
  auto free_at = t.front() + window_;
  return std::chrono::ceil<std::chrono::seconds>(free_at - now).count();
}

void signin_throttle::forget_old(clock::time_point now) {
  // Now and then, so that addresses and emails seen once do not pile up for ever.
  if (now - last_sweep_ < window_) return;
  last_sweep_ = now;
  for (auto* m : {&by_account_, &by_address_})
    for (auto it = m->begin(); it != m->end();) {
      auto& t = it->second;
      while (!t.empty() && now - t.front() >= window_) t.pop_front();
      it = t.empty() ? m->erase(it) : std::next(it);
    }
}

std::int64_t signin_throttle::wait_seconds(const std::string& email, const std::string& address) {
  std::lock_guard lock(mutex_);
  auto now = clock::now();
  forget_old(now);
  auto a = by_account_.find(email);
  auto b = by_address_.find(address);
  std::int64_t wait = 0;
  if (a != by_account_.end()) wait = std::max(wait, wait_for(a->second, per_account_, now));
  if (b != by_address_.end()) wait = std::max(wait, wait_for(b->second, per_address_, now));
  return wait;
}

void signin_throttle::failed(const std::string& email, const std::string& address) {
  std::lock_guard lock(mutex_);
  auto now = clock::now();
  by_account_[email].push_back(now);
  by_address_[address].push_back(now);
}

void signin_throttle::succeeded(const std::string& email) {
  std::lock_guard lock(mutex_);
  by_account_.erase(email);
}

}  // namespace sb
