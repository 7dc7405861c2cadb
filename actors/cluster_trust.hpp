#pragma once
// The cluster's challenge-response (messages/cluster_types.hpp): each side proves it holds
// CLUSTER_SECRET by a MAC over both sides' fresh nonces and CAF node ids, never by sending it.
// The role ("gate" or "dialer") is in the MAC too, so one side's proof is never the other's.
#include <string>
#include <string_view>

namespace sb {

/// A fresh nonce: 32 random bytes as hex.
std::string cluster_nonce();

struct proof_input {
  std::string_view role;        // "gate" or "dialer": who proves
  std::string_view own_nonce;   // the prover's nonce
  std::string_view their_nonce;
  std::string_view own_caf_node;  // the prover's CAF node id, as to_string renders it
  std::string_view their_caf_node;
};

/// HMAC-SHA-256 keyed by the secret over the input, as hex.
std::string cluster_proof_of(std::string_view secret, const proof_input& in);

/// Whether `got` is the proof expected, in constant time.
bool cluster_proof_matches(const std::string& expected, const std::string& got);

}  // namespace sb
