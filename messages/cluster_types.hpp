#pragma once
// What gateway nodes say to each other (actors/cluster_actor.hpp), over CAF's middleman.
//
//   dialer's gate                                   peer's gate (published at CLUSTER_PORT)
//     ── cluster_hello(protocol, node, nonce_d) ──>
//     <── cluster_challenge(protocol, node, nonce_p, proof of the secret over both nonces) ──
//     ── cluster_proof(proof of the secret over both nonces, the other way) ──>
//   then, both ways, once each side has checked the other's proof, cluster_sealed messages, each
//   one cluster_content encrypted and authenticated with the link's key for its direction:
//     ── subscribe(after, epoch) ──>      "send me your feed after this position"
//     <── batch(replica_batch, epoch) ──  (one in flight per peer)
//     ── ack(upto) ──>                    "applied up to here"
//     ── ping(feed) ──>                   every second, with where the sender's feed ends; a
//                                         link silent for 10 s is down
//
// A proof binds the secret to both nonces and both CAF node ids, so it cannot be replayed or
// relayed, and the secret never crosses the wire. CAF's BASP lets any connected node claim any
// node id, so nothing after the handshake is trusted for where it says it came from: only a
// message sealed with the link's key counts, and its counter must grow (no replays). The keys
// come from the secret and both nonces, so a stranger who routes a link's traffic to itself
// reads nothing and can only drop it (the link then times out and is dialled again). Every type here is registered on both sides
// (messages/protocols.hpp); `cluster_protocol` changes whenever one of them does, and a node
// speaking another is refused with a log line.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/record_store.hpp"

namespace sb {

inline constexpr std::uint32_t cluster_protocol = 4;

struct cluster_hello {
  std::uint32_t protocol = cluster_protocol;
  std::string node;   // the dialer's node name (CLUSTER_NODE_ID)
  std::string nonce;  // fresh, hex
};

struct cluster_challenge {
  std::uint32_t protocol = cluster_protocol;
  std::string node;
  std::string nonce;
  std::string proof;
};

struct cluster_proof {
  std::string proof;
};

/// A stretch of the sender's change feed: the records at its positions up to `upto`, and where
/// its feed ends now (`feed`: how far behind the receiver is).
struct replica_batch {
  std::vector<record> records;
  std::uint64_t upto = 0;
  std::uint64_t feed = 0;
};

/// A cluster_content, sealed (XChaCha20-Poly1305, the counter as its nonce).
struct cluster_sealed {
  std::uint64_t counter = 0;
  std::string box;
};

// subscribe_both: a subscribe that asks the peer to subscribe back, sent whenever a link (or a
// new session of it) comes up: of two sessions set up at once, a subscribe sealed with the one
// the peer dropped is lost, and this brings it again.
enum class cluster_op : std::uint8_t { subscribe, batch, ack, ping, subscribe_both };

/// What a sealed message holds.
struct cluster_content {
  std::uint8_t op = 0;         // a cluster_op
  std::uint64_t position = 0;  // subscribe: after; ack: upto
  std::string epoch;           // subscribe: the epoch `position` counts in; batch: the sender's
  replica_batch batch;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_version& x) {
  return f(caf::meta::type_name("record_version"), x.stamp, x.node);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record& x) {
  return f(caf::meta::type_name("record"), x.kind, x.id, x.version, x.deleted, x.data);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_hello& x) {
  return f(caf::meta::type_name("cluster_hello"), x.protocol, x.node, x.nonce);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_challenge& x) {
  return f(caf::meta::type_name("cluster_challenge"), x.protocol, x.node, x.nonce, x.proof);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_proof& x) {
  return f(caf::meta::type_name("cluster_proof"), x.proof);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replica_batch& x) {
  return f(caf::meta::type_name("replica_batch"), x.records, x.upto, x.feed);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_sealed& x) {
  return f(caf::meta::type_name("cluster_sealed"), x.counter, x.box);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_content& x) {
  return f(caf::meta::type_name("cluster_content"), x.op, x.position, x.epoch, x.batch);
}

/// The membership the cluster actor tells the limits actor, whenever it changes (in-process).
struct cluster_view {
  std::vector<std::string> up;  // node names up, this one included, sorted
  std::size_t configured = 1;   // this node and every peer it knows of
  // This node applied every peer's feed up to where it stood after the membership last changed:
  // nothing a majority held then is missing here.
  bool synced = false;
  bool majority() const { return up.size() >= configured / 2 + 1; }
  friend bool operator==(const cluster_view&, const cluster_view&) = default;
};

/// Budget lease records a peer's batch brought (in-process, to the limits actor).
struct lease_records {
  std::vector<record> records;
};

/// One peer as this node sees it (GET /api/v1/cluster, /metrics).
struct cluster_peer_status {
  std::string node;     // its name; empty until it has proved the secret
  std::string address;  // host:port dialled, empty for a peer that dialled in
  std::string state;    // "connecting", "handshaking", "up", "down", "refused"
  std::uint64_t behind_us = 0;   // records of our feed it has not applied yet
  std::uint64_t behind_it = 0;   // records of its feed we have not applied yet
  std::int64_t last_heard_ms = 0;  // Unix ms of its last message, 0: never
};

/// The cluster as this node sees it, published by the cluster actor.
struct cluster_status {
  bool enabled = false;
  std::string node;
  std::uint64_t feed = 0;
  std::size_t members = 1;  // nodes up, this one included
  std::size_t configured = 1;  // this node and every peer it knows of
  std::uint64_t strangers_refused = 0;
  std::vector<cluster_peer_status> peers;
};

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::cluster_view)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::lease_records)
