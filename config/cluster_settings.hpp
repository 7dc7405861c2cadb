#pragma once
// The cluster's settings (CLUSTER_PORT, CLUSTER_HOST, CLUSTER_PEERS, CLUSTER_NODE_ID,
// CLUSTER_SECRET, CLUSTER_WRITE_QUORUM): actors/cluster_actor.hpp is what they drive.
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace sb {

/// Reads them into `out`; an error text naming the bad value, or empty. Clustering is on when a
/// port or a peer is given, and then a secret of at least 16 characters is required.
std::string read_cluster_settings(const env_lookup& env, settings::cluster_settings& out);

/// A node name as CLUSTER_NODE_ID takes it, and as a peer's is checked: 1-64 letters, digits,
/// '-', '_' and '.'.
bool valid_cluster_node_id(std::string_view id);

}  // namespace sb
