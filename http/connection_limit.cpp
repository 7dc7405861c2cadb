#include "http/connection_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace sb {

namespace {
// Descriptors kept back from clients and their upstreams: RocksDB (64 files at most), logs, the
// listening sockets, epoll, eventfds and timers of every I/O thread, CAF's own.
constexpr std::uint64_t reserved_descriptors = 128;
}  // namespace

std::uint32_t resolve_connection_limit(std::uint32_t configured) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (configured > 0) return configured;
  std::uint64_t fds = lim.rlim_cur == RLIM_INFINITY ? 1'000'000 : lim.rlim_cur;
  auto usable = fds > reserved_descriptors * 2 ? fds - reserved_descriptors : fds / 2;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(usable / 2, 1, 1'000'000));
}

}  // namespace sb
