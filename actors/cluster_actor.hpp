#pragma once
// cluster_actor: this node's gate to its peers (messages/cluster_types.hpp has the protocol).
//
//   record_store ──feed(position)──> cluster_actor ──replica_batch──> each peer that subscribed
//   peer ──replica_batch──> cluster_actor ──merge (last writer wins, RocksDB)──> record_store
//                                          └──merged──> the actors owning the kinds merged (reload)
//
// `quorum` (from this process: the control-plane bridge, after a write was stored here) answers
// true once a majority of the nodes holds every change stored so far, false when the quorum
// timeout passes first.
//
// Published at CLUSTER_PORT; dials every CLUSTER_PEERS address, again with backoff when a link
// drops. A peer is trusted only once it has proved CLUSTER_SECRET; anything else it sends is
// dropped and counted. Peers are watched with monitors, so one going away never takes this
// node down. Runs detached: it reads and writes RocksDB. Nothing on the request path waits for
// it.
#include <caf/actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/cluster_seal.hpp"
#include "messages/cluster_types.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/record_store.hpp"

namespace sb {

struct peer_address {
  std::string host;
  std::uint16_t port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
};

struct cluster_options {
  std::string secret;
  std::vector<peer_address> peers;
  std::size_t batch_records = 512;  // records per replica_batch
  std::chrono::milliseconds quorum_timeout{5000};  // CLUSTER_QUORUM_TIMEOUT
  bool tls = false;  // dial through CAF's OpenSSL module
  std::chrono::milliseconds max_backoff{5000};
};

/// Told the records a merge stored, so the owners of their kinds reload.
using merge_listener = std::function<void(const std::vector<record>& stored)>;
/// Told which nodes are up and whether this one is in sync with them, whenever that changes.
using members_listener = std::function<void(const cluster_view& view)>;

using steady_time = std::chrono::steady_clock::time_point;

/// A peer node that proved the secret, by its node name.
struct cluster_link {
  caf::actor gate;
  std::string caf_node;
  std::string address;
  link_keys keys;         // what seals and opens its messages
  steady_time heard{};    // its last sealed message that opened
  bool up = false;
  bool subscribed = false;          // it asked for our feed
  std::uint64_t sent_upto = 0;      // our feed: sent to it
  steady_time sent_at{};            // when the batch in flight went
  std::uint64_t acked_upto = 0;     // our feed: it applied
  std::uint64_t applied_upto = 0;   // its feed: we applied
  std::uint64_t their_feed = 0;     // its feed: where it ends
  // Where its feed ended by its second ping after the membership last changed: once applied up
  // to there, nothing it held then is missing here (pending: no such ping yet).
  std::uint64_t sync_target = 0;
  bool sync_pending = true;
  int pings_since_change = 0;  // the target is the second's: the first may predate an ack
  std::int64_t last_heard_ms = 0;
};

/// A handshake under way, by the other side's CAF node id.
struct cluster_handshake {
  caf::actor gate;
  bool we_dialled = false;
  std::size_t dial = 0;  // when we_dialled
  std::string own_nonce;
  std::string their_nonce;
  std::string their_name;
  steady_time started{};
};

/// How long a handshake may take, and a link stay silent, before it is given up and dialled
/// again.
inline constexpr std::chrono::seconds handshake_deadline{5};
inline constexpr std::chrono::seconds silence_deadline{10};
/// How long a batch may go unacknowledged before it is sent again (a message lost on the way:
/// BASP can be made to drop one, and a link must not stall for good on it).
inline constexpr std::chrono::seconds ack_deadline{3};

/// A configured peer address.
struct cluster_dial {
  peer_address address;
  std::string state = "connecting";  // connecting, handshaking, up, down, refused
  caf::actor gate;
  std::string node;  // its name, once it proved the secret
  std::chrono::milliseconds backoff{200};
};

/// A write waiting until a majority of the nodes holds it (CLUSTER_WRITE_QUORUM=majority).
struct quorum_wait {
  std::uint64_t id = 0;
  std::uint64_t upto = 0;  // our feed position the write reached
  caf::response_promise promise;
};

struct cluster_state {
  cluster_options options;
  std::shared_ptr<record_store> store;
  merge_listener on_merged;
  members_listener on_members;
  cluster_view view_told;
  snapshot_cell<cluster_status>* published = nullptr;
  std::string caf_node;  // this node's CAF id
  std::map<std::string, cluster_link> links;          // by node name
  // Peers this node applied a feed of before (kept in the store): counted among the nodes a
  // majority is made of even when none of them is up, so a node restarted alone never takes
  // itself for a majority.
  std::set<std::string> remembered;
  std::map<std::string, std::string> name_of;          // CAF node id -> node name (trusted)
  std::map<std::string, cluster_handshake> handshakes;  // by CAF node id
  std::vector<cluster_dial> dials;
  std::set<caf::actor_addr> monitored;  // gates watched once each, however often they say hello
  std::uint64_t strangers_refused = 0;
  std::vector<quorum_wait> quorum_waits;
  std::uint64_t next_wait = 0;
  static inline const char* name = "cluster_actor";
};

using cluster_actor_pointer = caf::stateful_actor<cluster_state>*;

caf::behavior cluster_actor_impl(cluster_actor_pointer self, cluster_options options,
                                 std::shared_ptr<record_store> store, merge_listener on_merged,
                                 members_listener on_members,
                                 snapshot_cell<cluster_status>* published);

// The membership half (actors/cluster_handshake.cpp).
/// The CAF node id of the current message's sender; empty for a message from this process.
std::string remote_sender(cluster_actor_pointer self);
/// Drops what a node that is not trusted sent, counted (and logged, a few of them).
void refuse_stranger(cluster_actor_pointer self, const std::string& caf_node, const char* why);
void dial(cluster_actor_pointer self, std::size_t idx);
void schedule_dial(cluster_actor_pointer self, std::size_t idx);
/// Dial `idx` lost its peer: forgotten, dialled again after its backoff.
void redial(cluster_actor_pointer self, std::size_t idx);
void on_hello(cluster_actor_pointer self, const cluster_hello& h);
void on_challenge(cluster_actor_pointer self, const cluster_challenge& c);
void on_proof(cluster_actor_pointer self, const cluster_proof& p);
/// Gives up handshakes past their deadline and links silent past theirs; dials them again.
void expire_stale(cluster_actor_pointer self);
/// The peer `name` is down: it gets no batches until it is up again (dialled again if ours).
void link_down(cluster_actor_pointer self, const std::string& name, const char* why);

// The replication half (actors/cluster_feed.cpp).
/// Seals `c` for the link and sends it.
void send_sealed(cluster_actor_pointer self, cluster_link& link, const cluster_content& c);
/// Asks the peer `name` for its feed after what this node applied of it (`op`: subscribe, or
/// subscribe_both to have it subscribe back); answers that position.
std::uint64_t send_subscribe(cluster_actor_pointer self, cluster_link& link,
                             const std::string& name, cluster_op op);
/// Sends again what a peer has not acknowledged in time.
void resend_overdue(cluster_actor_pointer self);
/// Opens a sealed message from a trusted link and acts on it.
void on_sealed(cluster_actor_pointer self, const cluster_sealed& s);
/// Sends a subscribed peer the next stretch of our feed, unless one is still unacknowledged.
void pump(cluster_actor_pointer self, cluster_link& link);
/// Merges a batch from the peer `node`, tells the owners, acknowledges it.
void apply_batch(cluster_actor_pointer self, const std::string& node, cluster_content& c);
/// Answers the writes waiting for a majority that now have one.
void settle_quorum_waits(cluster_actor_pointer self);
/// Publishes the status the admin route and /metrics read, and tells the members listener when
/// the view changed.
void publish_status(cluster_actor_pointer self);
/// Tells the members listener the view (nodes up, in sync) when it changed since it was told.
void tell_members(cluster_actor_pointer self);

}  // namespace sb
