#pragma once
// Slows password guessing: at most `per_account` failed sign-ins per email and `per_address` per
// client address in a sliding window; past either, sign-in answers 429 (with when to try again)
// before any password is checked. Open WebUI counts every attempt per email only. Shared by the
// I/O threads behind a mutex: sign-in is rare, and a guesser gains nothing from another thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb {

class signin_throttle {
 public:
  using clock = std::chrono::steady_clock;
  signin_throttle(unsigned per_account = 10, unsigned per_address = 30,
                  clock::duration window = std::chrono::minutes(5))
      : per_account_(per_account), per_address_(per_address), window_(window) {}

  /// Seconds to wait before `email` may try again from `address`; 0 when it may now.
  std::int64_t wait_seconds(const std::string& email, const std::string& address);
  /// A failed attempt counts against both.
  void failed(const std::string& email, const std::string& address);
  /// A success clears the account's count (not the address's).
  void succeeded(const std::string& email);

 private:
  using times = std::deque<clock::time_point>;
  std::int64_t wait_for(times& t, unsigned limit, clock::time_point now);
  void forget_old(clock::time_point now);
  std::mutex mutex_;
  std::unordered_map<std::string, times> by_account_, by_address_;
  unsigned per_account_, per_address_;
  clock::duration window_;
  clock::time_point last_sweep_{};
};

}  // namespace sb
