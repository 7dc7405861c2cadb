// The cluster actor's membership: dialling peers, the challenge-response, links up and down,
// deadlines for handshakes and silent links.
#include <spdlog/spdlog.h>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "actors/cluster_actor.hpp"
#include "actors/cluster_trust.hpp"
#include "config/cluster_settings.hpp"
#include "messages/protocols.hpp"

namespace sb {

namespace {

// Handshakes under way at once: strangers opening connections cannot grow the table (and each
// entry is dropped at its deadline).
constexpr std::size_t max_handshakes = 64;

// Handshakes are kept by the other side's CAF node id and which side dialled: two nodes that
// dial each other at once run two handshakes side by side.
std::string inbound_key(const std::string& caf_node) { return caf_node + "<"; }
std::string outbound_key(const std::string& caf_node) { return caf_node + ">"; }

// Of two sessions with one peer (both dialled), the one both sides keep: the one dialled by the
// node with the smaller name.
bool preferred_session(const std::string& own, const std::string& peer, bool we_dialled) {
  return we_dialled ? own < peer : peer < own;
}

void link_up(cluster_actor_pointer self, const std::string& name, const std::string& caf_node,
             caf::actor gate, const std::string& address, link_keys keys) {
  auto& st = self->state;
  bool we_dialled = !address.empty();
  st.handshakes.erase(we_dialled ? outbound_key(caf_node) : inbound_key(caf_node));
  if (!we_dialled && st.options.tls)
    for (auto& d : st.dials)
      if (d.node == name)
        spdlog::warn("cluster: {} and this node dial each other over TLS, and CAF 0.17 drops such "
                     "connections every few seconds: list the pair on one side only",
                     name);
  auto& link = st.links[name];
  if (link.up && link.caf_node == caf_node &&
      !preferred_session(st.store->node(), name, we_dialled))
    return;  // the other session of a crossed dial stays
  link.gate = std::move(gate);
  link.caf_node = caf_node;
  link.keys = keys;
  if (!address.empty()) link.address = address;
  link.up = true;
  link.subscribed = false;
  link.heard = std::chrono::steady_clock::now();
  link.last_heard_ms = static_cast<std::int64_t>(hybrid_clock::wall_ms());
  st.name_of[caf_node] = name;
  auto applied = send_subscribe(self, link, name, cluster_op::subscribe_both);
  spdlog::info("cluster: peer {} is up (applied its feed up to {})", name, applied);
  publish_status(self);
}

void on_dialled(cluster_actor_pointer self, std::size_t idx, caf::strong_actor_ptr& ptr) {
  auto& st = self->state;
  auto& d = st.dials[idx];
  if (!ptr) {
    d.state = "down";
    schedule_dial(self, idx);
    return;
  }
  d.gate = caf::actor_cast<caf::actor>(ptr);
  auto caf_node = to_string(d.gate.node());
  if (d.gate.node() == self->node()) {
    spdlog::error("cluster: {} is this node itself: not dialled again", d.address.text());
    d.state = "refused";
    return;
  }
  d.state = "handshaking";
  if (st.monitored.insert(d.gate.address()).second) self->monitor(d.gate);
  cluster_handshake hs{d.gate, true, idx, cluster_nonce(), {}, {},
                       std::chrono::steady_clock::now()};
  self->send(d.gate, cluster_hello{cluster_protocol, st.store->node(), hs.own_nonce});
  st.handshakes[outbound_key(caf_node)] = std::move(hs);
}

// A dial failed to prove itself: given up, tried again at the longest backoff.
void dial_refused(cluster_actor_pointer self, std::size_t idx) {
  auto& d = self->state.dials[idx];
  d.state = "refused";
  d.gate = nullptr;
  d.backoff = self->state.options.max_backoff;
  schedule_dial(self, idx);
}

}  // namespace

std::string remote_sender(cluster_actor_pointer self) {
  auto& sender = self->current_sender();
  if (!sender || sender->node() == self->node()) return {};
  return to_string(sender->node());
}

void refuse_stranger(cluster_actor_pointer self, const std::string& caf_node, const char* why) {
  auto& st = self->state;
  // Logged for the first few, then every thousandth: a flood does not flood the log.
  if (++st.strangers_refused <= 8 || st.strangers_refused % 1000 == 0)
    spdlog::warn("cluster: refused {} ({}; {} refused so far)",
                 caf_node.empty() ? "an anonymous sender" : "node " + caf_node, why,
                 st.strangers_refused);
  st.handshakes.erase(inbound_key(caf_node));
}

void schedule_dial(cluster_actor_pointer self, std::size_t idx) {
  auto& d = self->state.dials[idx];
  self->delayed_send(self, d.backoff, dial_atom::value, static_cast<std::uint64_t>(idx));
  d.backoff = std::min(d.backoff * 2, self->state.options.max_backoff);
}

void redial(cluster_actor_pointer self, std::size_t idx) {
  auto& d = self->state.dials[idx];
  d.gate = nullptr;
  d.state = "down";
  schedule_dial(self, idx);
}

void dial(cluster_actor_pointer self, std::size_t idx) {
  auto& d = self->state.dials[idx];
  d.state = "connecting";
  auto& sys = self->home_system();
  auto mm = self->state.options.tls ? sys.openssl_manager().actor_handle()
                                    : sys.middleman().actor_handle();
  self->request(mm, caf::infinite, caf::connect_atom::value, d.address.host, d.address.port)
      .then(
          [self, idx](const caf::node_id&, caf::strong_actor_ptr& ptr,
                      const std::set<std::string>&) { on_dialled(self, idx, ptr); },
          [self, idx](caf::error&) {
            self->state.dials[idx].state = "down";
            schedule_dial(self, idx);
          });
}

// A dialler says hello: answer with our proof and a challenge.
void on_hello(cluster_actor_pointer self, const cluster_hello& h) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  if (caf_node.empty()) return;
  auto gate = caf::actor_cast<caf::actor>(self->current_sender());
  if (h.protocol != cluster_protocol) {
    self->send(gate, cluster_challenge{cluster_protocol, st.store->node(), {}, {}});
    auto why = fmt::format("it speaks cluster protocol {}, this node {}: run one release on "
                           "every node", h.protocol, cluster_protocol);
    return refuse_stranger(self, caf_node, why.c_str());
  }
  if (h.nonce.size() != 64 || !valid_cluster_node_id(h.node))
    return refuse_stranger(self, caf_node, "a malformed hello");
  if (st.handshakes.size() >= max_handshakes && !st.handshakes.count(inbound_key(caf_node)))
    return refuse_stranger(self, caf_node, "too many handshakes under way");
  if (st.monitored.insert(gate.address()).second) self->monitor(gate);
  cluster_handshake hs{gate, false, 0, cluster_nonce(), h.nonce, h.node,
                       std::chrono::steady_clock::now()};
  auto proof = cluster_proof_of(st.options.secret,
                                {"gate", hs.own_nonce, h.nonce, st.caf_node, caf_node});
  self->send(gate, cluster_challenge{cluster_protocol, st.store->node(), hs.own_nonce, proof});
  st.handshakes[inbound_key(caf_node)] = std::move(hs);
}

// The peer we dialled answered: check its proof, send ours.
void on_challenge(cluster_actor_pointer self, const cluster_challenge& c) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  auto hs = st.handshakes.find(outbound_key(caf_node));
  if (caf_node.empty() || hs == st.handshakes.end())
    return refuse_stranger(self, caf_node, "a challenge nobody asked for");
  auto idx = hs->second.dial;
  auto& d = st.dials[idx];
  auto expected = cluster_proof_of(
      st.options.secret, {"gate", c.nonce, hs->second.own_nonce, caf_node, st.caf_node});
  if (c.protocol != cluster_protocol || c.nonce.size() != 64 || !valid_cluster_node_id(c.node) ||
      !cluster_proof_matches(expected, c.proof)) {
    spdlog::warn("cluster: {} did not prove CLUSTER_SECRET (or speaks another cluster "
                 "protocol): not trusted",
                 d.address.text());
    st.handshakes.erase(hs);
    return dial_refused(self, idx);
  }
  if (c.node == st.store->node()) {
    spdlog::error("cluster: {} calls itself '{}', this node's own name: refused (give each node "
                  "its own CLUSTER_NODE_ID and data directory)",
                  d.address.text(), c.node);
    st.handshakes.erase(hs);
    return dial_refused(self, idx);
  }
  handshake_facts facts{hs->second.own_nonce, c.nonce, st.caf_node, caf_node};
  auto keys = derive_link_keys(st.options.secret, facts, true);
  self->send(d.gate, cluster_proof{cluster_proof_of(st.options.secret,
                                                    {"dialer", hs->second.own_nonce, c.nonce,
                                                     st.caf_node, caf_node})});
  d.state = "up";
  d.node = c.node;
  d.backoff = std::chrono::milliseconds(200);
  link_up(self, c.node, caf_node, d.gate, d.address.text(), keys);
}

// A dialler answered our challenge.
void on_proof(cluster_actor_pointer self, const cluster_proof& p) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  auto hs = st.handshakes.find(inbound_key(caf_node));
  if (caf_node.empty() || hs == st.handshakes.end())
    return refuse_stranger(self, caf_node, "a proof for no challenge");
  auto& h = hs->second;
  auto expected = cluster_proof_of(st.options.secret, {"dialer", h.their_nonce, h.own_nonce,
                                                       caf_node, st.caf_node});
  if (!cluster_proof_matches(expected, p.proof))
    return refuse_stranger(self, caf_node, "did not prove CLUSTER_SECRET");
  if (h.their_name == st.store->node()) {
    spdlog::error("cluster: a peer calls itself '{}', this node's own name: refused (give each "
                  "node its own CLUSTER_NODE_ID and data directory)",
                  h.their_name);
    st.handshakes.erase(hs);
    return;
  }
  handshake_facts facts{h.their_nonce, h.own_nonce, caf_node, st.caf_node};
  auto keys = derive_link_keys(st.options.secret, facts, false);
  auto name = h.their_name;
  auto gate = h.gate;
  link_up(self, name, caf_node, gate, {}, keys);
}

void link_down(cluster_actor_pointer self, const std::string& name, const char* why) {
  auto& st = self->state;
  auto& link = st.links[name];
  if (!link.up) return;
  link.up = false;
  link.subscribed = false;
  spdlog::warn("cluster: peer {} is down ({})", name, why);
  for (std::size_t i = 0; i < st.dials.size(); ++i)
    if (st.dials[i].node == name && st.dials[i].state == "up") redial(self, i);
  publish_status(self);
}

void expire_stale(cluster_actor_pointer self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  std::vector<std::size_t> lapsed;
  std::erase_if(st.handshakes, [&](auto& entry) {
    auto& h = entry.second;
    if (now - h.started < handshake_deadline) return false;
    if (h.we_dialled) lapsed.push_back(h.dial);
    return true;
  });
  for (auto idx : lapsed) redial(self, idx);
  for (auto& [name, link] : st.links)
    if (link.up && now - link.heard > silence_deadline) link_down(self, name, "silent for 10 s");
}

}  // namespace sb
