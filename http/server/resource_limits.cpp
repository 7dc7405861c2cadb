#include "http/server/resource_limits.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "http/server/memory_budget.hpp"

namespace sb {

namespace {

// Descriptors kept back from clients and their upstreams: RocksDB (64 files at most), logs, the
// listening sockets, epoll, eventfds and timers of every I/O thread, CAF's own.
constexpr std::uint64_t reserved_descriptors = 128;

std::uint64_t physical_memory() {
  auto pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * page : 0;
}

// A container's memory limit (cgroup v2, then v1); 0 when there is none.
std::uint64_t cgroup_memory_limit() {
  for (auto* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream f(path);
    std::string v;
    if (f >> v && !v.empty() && v != "max") {
      try {
        return std::stoull(v);
      } catch (...) {
      }
    }
  }
  return 0;
}

}  // namespace

std::uint64_t resolve_buffer_budget(std::uint64_t configured) {
  if (configured > 0) return configured;
  auto ram = physical_memory();
  if (auto cg = cgroup_memory_limit(); cg > 0 && (ram == 0 || cg < ram)) ram = cg;
  return std::max<std::uint64_t>(ram / 8, 256ull << 20);
}

std::uint32_t resolve_connection_limit(std::uint32_t configured, std::uint64_t buffer_budget) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (configured > 0) return configured;
  std::uint64_t fds = lim.rlim_cur == RLIM_INFINITY ? 1'000'000 : lim.rlim_cur;
  auto usable = fds > reserved_descriptors * 2 ? fds - reserved_descriptors : fds / 2;
  auto by_memory = buffer_budget / memory_budget::free_allowance;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(std::min(usable / 2, by_memory), 1,
                                                              1'000'000));
}

}  // namespace sb
