#pragma once
// One process-wide budget for bytes held whole in memory: request bodies and non-streamed upstream
// answers (each may be up to 64 MiB). Without it, twenty large uploads at once hold gigabytes.
// Past the budget a request is answered 503 with Retry-After and nothing is half-done: its body was
// not forwarded. Bodies up to `free_allowance` are not counted, so the common small request never
// touches the shared counter (a contended atomic on every request would cost more than it guards).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sb {

class memory_budget {
 public:
  static constexpr std::size_t free_allowance = 64 * 1024;

  explicit memory_budget(std::uint64_t cap) : cap_(cap) {}

  bool try_take(std::uint64_t n) {
    auto before = used_.fetch_add(n, std::memory_order_relaxed);
    if (before + n <= cap_) return true;
    used_.fetch_sub(n, std::memory_order_relaxed);
    return false;
  }
  void give_back(std::uint64_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t cap() const { return cap_; }

 private:
  std::atomic<std::uint64_t> used_{0};
  std::uint64_t cap_;
};

/// What one buffer holds of the budget; returned when the lease ends.
class budget_lease {
 public:
  explicit budget_lease(memory_budget& b) : budget_(&b) {}
  ~budget_lease() { release(); }
  budget_lease(const budget_lease&) = delete;
  budget_lease& operator=(const budget_lease&) = delete;

  /// Holds `bytes` in all (a buffer's current capacity). False, holding what it held before, when
  /// the budget cannot give the growth.
  bool hold(std::size_t bytes) {
    std::uint64_t want = bytes > memory_budget::free_allowance ? bytes : 0;
    if (want <= held_) return true;
    if (!budget_->try_take(want - held_)) return false;
    held_ = want;
    return true;
  }
  /// Holds `bytes` from now on, giving back what it held beyond them (after a growth, whose old
  /// and new blocks lived at once, only the new one stays).
  void settle_at(std::size_t bytes) {
    std::uint64_t keep = bytes > memory_budget::free_allowance ? bytes : 0;
    if (keep >= held_) return;
    budget_->give_back(held_ - keep);
    held_ = keep;
  }
  void release() {
    if (held_) budget_->give_back(held_);
    held_ = 0;
  }

 private:
  memory_budget* budget_;
  std::uint64_t held_ = 0;
};

/// A Done predicate for feed_parser: the message is complete, or its body would outgrow the
/// budget (then `over` is set). Checked before every parse step: growth is approved by the budget
/// before the string grows (by doubling), so concurrent bodies never overshoot it together.
struct body_within_budget {
  static constexpr std::size_t step = 16 * 1024;  // what one read adds at most (feed_parser)
  budget_lease* lease;
  bool* over;
  template <class Parser>
  bool operator()(Parser& p) const {
    auto& body = p.get().body();
    std::size_t need = body.capacity();
    if (!p.is_done() && body.size() + step > body.capacity()) {
      need = std::max(body.capacity() * 2, body.size() + step);
      // Never more than the declared body still needs: a body exactly at the budget fits.
      if (auto remaining = p.content_length_remaining())
        need = std::min<std::size_t>(need, body.size() + static_cast<std::size_t>(*remaining));
      need = std::max(need, body.capacity());
    }
    // A growth copies into a new block before the old one is freed: both count meanwhile.
    bool grows = need > body.capacity() && need > memory_budget::free_allowance;
    if (!lease->hold(grows ? need + body.capacity() : need)) {
      *over = true;
      return true;
    }
    if (grows) {
      body.reserve(need);
      lease->settle_at(body.capacity());
    }
    return p.is_done();
  }
};

}  // namespace sb
