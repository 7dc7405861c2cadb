#pragma once
// Sealing the cluster's messages after the handshake (messages/cluster_types.hpp): each link has
// a key per direction, derived from CLUSTER_SECRET, both nonces and both CAF node ids, and each
// message is encrypted and authenticated (XChaCha20-Poly1305) under a counter that only grows.
#include <caf/actor_system.hpp>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "messages/cluster_types.hpp"

namespace sb {

struct link_keys {
  std::array<unsigned char, 32> out{};
  std::array<unsigned char, 32> in{};
  std::uint64_t sent = 0;      // the last counter sealed
  std::uint64_t received = 0;  // the last counter opened
  bool set = false;
};

/// What both sides of a handshake know, named by role.
struct handshake_facts {
  std::string_view dialer_nonce;
  std::string_view gate_nonce;
  std::string_view dialer_caf_node;
  std::string_view gate_caf_node;
};

/// The link's keys as the dialer (`dialer` true) or the gate sees them.
link_keys derive_link_keys(std::string_view secret, const handshake_facts& facts, bool dialer);

/// `c` sealed under the next counter.
cluster_sealed seal(link_keys& keys, caf::actor_system& sys, const cluster_content& c);

/// Opens `s` into `out`: false when it does not open with the key, its counter is not above the
/// last one opened, or its content does not read.
bool unseal(link_keys& keys, caf::actor_system& sys, const cluster_sealed& s,
            cluster_content& out);

}  // namespace sb
