#pragma once
// What a node takes from a peer: only records of the kinds the cluster replicates, of a sane
// size and shape, stamped no later than a day ahead of this node's clock (a stamp far ahead would
// win every later write and drag every clock with it).
#include <cstdint>
#include <string>

#include "storage/record_store.hpp"

namespace sb {

/// Why `r` is refused, or empty when it may be merged.
std::string replica_fault(const record& r, std::uint64_t wall_ms);

}  // namespace sb
