#pragma once
// How many client connections the gateway serves at once. Every client connection is a descriptor
// and may hold an upstream one; at the descriptor limit accept() fails, nothing is served (not even
// /health) and the kernel queues connections nobody will take. A cap below the limit keeps a
// reserve for upstream connections, the database and the listener, so the gateway always has a
// descriptor to accept with: past the cap it closes an idle keep-alive connection to make room, or
// the new connection at once.
#include <cstdint>

namespace sb {

/// Raises the soft descriptor limit to the hard one, then returns `configured` or, when it is 0,
/// (descriptor limit - reserve) / 2: half for clients, half for the upstream connections they use.
std::uint32_t resolve_connection_limit(std::uint32_t configured);

}  // namespace sb
