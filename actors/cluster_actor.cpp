// The cluster actor's membership: dialling peers, the challenge-response, links up and down.
#include "actors/cluster_actor.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include "actors/cluster_trust.hpp"
#include "messages/protocols.hpp"

namespace sb {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Handshakes under way at once: strangers opening connections cannot grow the table.
constexpr std::size_t max_handshakes = 64;

// The CAF node id of the current message's sender; empty for a message from this process.
std::string remote_sender(cluster_actor_pointer self) {
  auto& sender = self->current_sender();
  if (!sender || sender->node() == self->node()) return {};
  return to_string(sender->node());
}

// The link of the peer that sent the current message, if it proved the secret.
cluster_link* trusted_sender(cluster_actor_pointer self) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  auto name = st.name_of.find(caf_node);
  if (caf_node.empty() || name == st.name_of.end()) return nullptr;
  auto& link = st.links[name->second];
  if (!link.up) return nullptr;
  link.last_heard_ms = now_ms();
  return &link;
}

void refuse_stranger(cluster_actor_pointer self, const std::string& caf_node, const char* why) {
  auto& st = self->state;
  // Logged for the first few, then every thousandth: a flood does not flood the log.
  if (++st.strangers_refused <= 8 || st.strangers_refused % 1000 == 0)
    spdlog::warn("cluster: refused {} ({}; {} refused so far)",
                 caf_node.empty() ? "an anonymous sender" : "node " + caf_node, why,
                 st.strangers_refused);
  st.handshakes.erase(caf_node);
}

void schedule_dial(cluster_actor_pointer self, std::size_t idx) {
  auto& d = self->state.dials[idx];
  self->delayed_send(self, d.backoff, dial_atom::value, static_cast<std::uint64_t>(idx));
  d.backoff = std::min(d.backoff * 2, self->state.options.max_backoff);
}

void link_up(cluster_actor_pointer self, const std::string& name, const std::string& caf_node,
             caf::actor gate, const std::string& address) {
  auto& st = self->state;
  st.handshakes.erase(caf_node);
  auto& link = st.links[name];
  bool was_up = link.up && link.gate == gate;
  link.gate = gate;
  link.caf_node = caf_node;
  if (!address.empty()) link.address = address;
  link.up = true;
  link.last_heard_ms = now_ms();
  st.name_of[caf_node] = name;
  if (was_up) return;
  std::string error;
  auto after = st.store->peer_position(name, error);
  if (!error.empty()) spdlog::error("cluster: {}", error);
  self->send(gate, subscribe_atom::value, after);
  spdlog::info("cluster: peer {} is up (applied its feed up to {})", name, after);
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
  d.state = "handshaking";
  self->monitor(d.gate);
  auto caf_node = to_string(d.gate.node());
  cluster_handshake hs{d.gate, true, idx, cluster_nonce(), {}, {}};
  self->send(d.gate, cluster_hello{cluster_protocol, st.store->node(), hs.own_nonce});
  st.handshakes[caf_node] = std::move(hs);
}

void dial(cluster_actor_pointer self, std::size_t idx) {
  auto& d = self->state.dials[idx];
  d.state = "connecting";
  auto mm = self->home_system().middleman().actor_handle();
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
    spdlog::error("cluster: node '{}' speaks cluster protocol {}, this node {}: refused (run "
                  "the same release on every node)",
                  h.node, h.protocol, cluster_protocol);
    self->send(gate, cluster_challenge{cluster_protocol, st.store->node(), {}, {}});
    return;
  }
  if (h.nonce.size() != 64 || h.node.empty())
    return refuse_stranger(self, caf_node, "a malformed hello");
  if (st.handshakes.size() >= max_handshakes)
    return refuse_stranger(self, caf_node, "too many handshakes under way");
  self->monitor(gate);
  cluster_handshake hs{gate, false, 0, cluster_nonce(), h.nonce, h.node};
  auto proof = cluster_proof_of(st.options.secret,
                                {"gate", hs.own_nonce, h.nonce, st.caf_node, caf_node});
  self->send(gate, cluster_challenge{cluster_protocol, st.store->node(), hs.own_nonce, proof});
  st.handshakes[caf_node] = std::move(hs);
}

// The peer we dialled answered: check its proof, send ours.
void on_challenge(cluster_actor_pointer self, const cluster_challenge& c) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  auto hs = st.handshakes.find(caf_node);
  if (caf_node.empty() || hs == st.handshakes.end() || !hs->second.we_dialled)
    return refuse_stranger(self, caf_node, "a challenge nobody asked for");
  auto& d = st.dials[hs->second.dial];
  if (c.protocol != cluster_protocol || c.proof.empty()) {
    spdlog::error("cluster: {} speaks cluster protocol {}, this node {}: refused",
                  d.address.text(), c.protocol, cluster_protocol);
    d.state = "refused";
    st.handshakes.erase(hs);
    return;
  }
  auto expected = cluster_proof_of(
      st.options.secret, {"gate", c.nonce, hs->second.own_nonce, caf_node, st.caf_node});
  if (!cluster_proof_matches(expected, c.proof) || c.nonce.size() != 64) {
    spdlog::warn("cluster: {} did not prove CLUSTER_SECRET: not trusted", d.address.text());
    d.state = "refused";
    d.gate = nullptr;
    d.backoff = st.options.max_backoff;
    auto idx = hs->second.dial;
    st.handshakes.erase(hs);
    schedule_dial(self, idx);
    return;
  }
  auto proof = cluster_proof_of(
      st.options.secret, {"dialer", hs->second.own_nonce, c.nonce, st.caf_node, caf_node});
  self->send(d.gate, cluster_proof{proof});
  d.state = "up";
  d.node = c.node;
  d.backoff = std::chrono::milliseconds(200);
  link_up(self, c.node, caf_node, d.gate, d.address.text());
}

// A dialler answered our challenge.
void on_proof(cluster_actor_pointer self, const cluster_proof& p) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  auto hs = st.handshakes.find(caf_node);
  if (caf_node.empty() || hs == st.handshakes.end() || hs->second.we_dialled)
    return refuse_stranger(self, caf_node, "a proof for no challenge");
  auto expected = cluster_proof_of(st.options.secret, {"dialer", hs->second.their_nonce,
                                                       hs->second.own_nonce, caf_node,
                                                       st.caf_node});
  if (!cluster_proof_matches(expected, p.proof))
    return refuse_stranger(self, caf_node, "did not prove CLUSTER_SECRET");
  if (hs->second.their_name == st.store->node()) {
    spdlog::error("cluster: a peer calls itself '{}', this node's own name: refused (give each "
                  "node its own CLUSTER_NODE_ID and data directory)",
                  hs->second.their_name);
    st.handshakes.erase(hs);
    return;
  }
  auto name = hs->second.their_name;
  link_up(self, name, caf_node, hs->second.gate, {});
}

void on_down(cluster_actor_pointer self, const caf::down_msg& dm) {
  auto& st = self->state;
  for (auto& [name, link] : st.links)
    if (link.up && link.gate.address() == dm.source) {
      link.up = false;
      link.subscribed = false;
      spdlog::warn("cluster: peer {} is down", name);
    }
  std::erase_if(st.handshakes, [&](auto& h) { return h.second.gate.address() == dm.source; });
  for (std::size_t i = 0; i < st.dials.size(); ++i)
    if (st.dials[i].gate.address() == dm.source) {
      st.dials[i].gate = nullptr;
      st.dials[i].state = "down";
      schedule_dial(self, i);
    }
  publish_status(self);
}

caf::result<caf::message> drop_unexpected(caf::scheduled_actor* ptr, caf::message_view&) {
  auto self = static_cast<cluster_actor_pointer>(ptr);
  auto caf_node = remote_sender(self);
  if (!caf_node.empty() && !self->state.name_of.count(caf_node))
    refuse_stranger(self, caf_node, "a message before proving the secret");
  return caf::message{};
}

}  // namespace

caf::behavior cluster_actor_impl(cluster_actor_pointer self, cluster_options options,
                                 std::shared_ptr<record_store> store, merge_listener on_merged,
                                 members_listener on_members,
                                 snapshot_cell<cluster_status>* published) {
  auto& st = self->state;
  st.options = std::move(options);
  st.store = std::move(store);
  st.on_merged = std::move(on_merged);
  st.on_members = std::move(on_members);
  st.published = published;
  st.caf_node = to_string(self->node());
  for (auto& p : st.options.peers) st.dials.push_back({p});
  for (std::size_t i = 0; i < st.dials.size(); ++i) dial(self, i);
  self->set_down_handler([self](caf::down_msg& dm) { on_down(self, dm); });
  self->set_default_handler(drop_unexpected);
  self->send(self, tick_atom::value);
  publish_status(self);
  return {
      [self](cluster_hello& h) { on_hello(self, h); },
      [self](cluster_challenge& c) { on_challenge(self, c); },
      [self](cluster_proof& p) { on_proof(self, p); },
      [self](subscribe_atom, std::uint64_t after) {
        auto* link = trusted_sender(self);
        if (!link) return refuse_stranger(self, remote_sender(self), "not trusted");
        auto feed = self->state.store->feed_position();
        // A position past our feed's end: this database was started afresh under the same
        // name; the peer gets everything.
        link->sent_upto = link->acked_upto = after <= feed ? after : 0;
        link->subscribed = true;
        pump(self, *link);
      },
      [self](replica_batch& batch) {
        auto* link = trusted_sender(self);
        if (!link) return refuse_stranger(self, remote_sender(self), "not trusted");
        apply_batch(self, self->state.name_of[remote_sender(self)], batch);
      },
      [self](ack_atom, std::uint64_t upto) {
        auto* link = trusted_sender(self);
        if (!link) return refuse_stranger(self, remote_sender(self), "not trusted");
        if (upto == link->sent_upto) link->acked_upto = upto;
        pump(self, *link);
      },
      [self](feed_atom, std::uint64_t) {
        if (!remote_sender(self).empty()) return;
        for (auto& [name, link] : self->state.links) pump(self, link);
      },
      [self](dial_atom, std::uint64_t idx) {
        if (!remote_sender(self).empty() || idx >= self->state.dials.size()) return;
        if (!self->state.dials[idx].gate) dial(self, idx);
      },
      [self](tick_atom) {
        if (!remote_sender(self).empty()) return;
        publish_status(self);
        self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
      },
  };
}

}  // namespace sb
