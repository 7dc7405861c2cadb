#pragma once
// How much the gateway takes on at once, derived from what the machine gives it when not
// configured. Every client connection is a descriptor and may hold an upstream one; at the
// descriptor limit accept() fails, nothing is served (not even /health) and the kernel queues
// connections nobody will take. And every connection may hold up to memory_budget::free_allowance
// of body outside the buffered-bytes budget. So the connection cap keeps a descriptor reserve and
// stays within what the budget covers.
#include <cstdint>

namespace sb {

/// `configured`, or when 0 an eighth of the memory this process may use (physical memory, or the
/// cgroup's memory.max when lower), at least 256 MiB.
std::uint64_t resolve_buffer_budget(std::uint64_t configured);

/// Raises the soft descriptor limit to the hard one, then returns `configured` or, when it is 0,
/// the smaller of (descriptor limit - reserve) / 2 (half for clients, half for the upstream
/// connections they use) and `buffer_budget` / the per-connection uncounted allowance.
std::uint32_t resolve_connection_limit(std::uint32_t configured, std::uint64_t buffer_budget);

}  // namespace sb
