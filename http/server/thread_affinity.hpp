#pragma once
// Checks of what the I/O design assumes and nothing else enforces: a session's coroutines, and
// the per-thread state they touch (its deadline slot, pool shards, load views, outcome batches),
// never change threads, and a session's one deadline slot guards one operation at a time. Active
// where assertions are (debug and sanitizer builds: CI's `make test-sanitize` runs every test
// with them); nothing at all in release builds.
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace sb {

#ifndef NDEBUG
inline constexpr bool affinity_checked = true;

[[noreturn]] inline void affinity_violated(const char* what) {
  std::fprintf(stderr, "switchboard: broken invariant: %s\n", what);
  std::abort();
}

/// The thread an object was made on; check() aborts anywhere else.
class home_thread {
 public:
  void check(const char* what) const {
    if (std::this_thread::get_id() != id_) affinity_violated(what);
  }

 private:
  std::thread::id id_ = std::this_thread::get_id();
};

inline void expect_invariant(bool holds, const char* what) {
  if (!holds) affinity_violated(what);
}
#else
inline constexpr bool affinity_checked = false;

class home_thread {
 public:
  void check(const char*) const {}
};

inline void expect_invariant(bool, const char*) {}
#endif

}  // namespace sb
