#pragma once
// A hybrid logical clock (Kulkarni et al., 2014) in one 64-bit number: the high 48 bits are
// milliseconds since the Unix epoch, the low 16 a counter for events within one millisecond (or
// while the wall clock stands still or steps back). Every stored record is stamped with one, and
// with the node that wrote it: (stamp, node) orders writes from several gateways last-writer-wins,
// close to real time yet never backwards, even when a node's wall clock does.
#include <chrono>
#include <compare>
#include <cstdint>
#include <string>

namespace sb {

struct record_version {
  std::uint64_t stamp = 0;  // hybrid_clock value
  std::string node;         // the node that wrote it: ties between equal stamps

  friend auto operator<=>(const record_version&, const record_version&) = default;
  friend bool operator==(const record_version&, const record_version&) = default;
};

class hybrid_clock {
 public:
  static constexpr int counter_bits = 16;

  /// The stamp of a new local event: above every stamp seen or given before.
  std::uint64_t tick() { return tick_at(wall_ms()); }

  /// As tick(), the wall clock reading `ms` (for tests).
  std::uint64_t tick_at(std::uint64_t ms) {
    last_ = std::max(last_ + 1, ms << counter_bits);
    return last_;
  }

  /// Takes note of a stamp read from storage or a peer, so later ticks order after it.
  void witness(std::uint64_t stamp) { last_ = std::max(last_, stamp); }

  std::uint64_t last() const { return last_; }

  static std::uint64_t wall_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  }

 private:
  std::uint64_t last_ = 0;
};

}  // namespace sb
