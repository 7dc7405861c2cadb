#pragma once
// The cluster's settings (CLUSTER_PORT, CLUSTER_HOST, CLUSTER_PEERS, CLUSTER_NODE_ID,
// CLUSTER_SECRET, CLUSTER_WRITE_QUORUM): actors/cluster_actor.hpp is what they drive.
#include <string>

#include "config/settings.hpp"

namespace sb {

/// Reads them into `out`; an error text naming the bad value, or empty. Clustering is on when a
/// port or a peer is given, and then a secret of at least 16 characters is required.
std::string read_cluster_settings(const env_lookup& env, settings::cluster_settings& out);

}  // namespace sb
