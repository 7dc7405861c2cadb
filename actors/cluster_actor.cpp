// The cluster actor: its behavior, what a peer going away does, and the second tick.
#include "actors/cluster_actor.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "messages/protocols.hpp"

namespace sb {

namespace {

void on_down(cluster_actor_pointer self, const caf::down_msg& dm) {
  auto& st = self->state;
  st.monitored.erase(dm.source);
  // A down message may be forged (BASP does not authenticate it): the link's keys stay, and its
  // next sealed message that opens brings it back.
  std::vector<std::string> gone;
  for (auto& [name, link] : st.links)
    if (link.up && link.gate.address() == dm.source) gone.push_back(name);
  for (auto& name : gone) link_down(self, name, "its connection closed");
  std::erase_if(st.handshakes, [&](auto& h) {
    if (h.second.gate.address() != dm.source) return false;
    if (h.second.we_dialled) redial(self, h.second.dial);
    return true;
  });
  for (std::size_t i = 0; i < st.dials.size(); ++i)
    if (st.dials[i].gate && st.dials[i].gate.address() == dm.source) redial(self, i);
  publish_status(self);
}

caf::result<caf::message> drop_unexpected(caf::scheduled_actor* ptr, caf::message_view&) {
  auto self = static_cast<cluster_actor_pointer>(ptr);
  auto caf_node = remote_sender(self);
  if (!caf_node.empty()) refuse_stranger(self, caf_node, "a message outside the protocol");
  return caf::message{};
}

// Once a second: pings keep the links' silence deadlines, stale handshakes and silent links go.
void tick(cluster_actor_pointer self) {
  for (auto& [name, link] : self->state.links)
    if (link.up)
      send_sealed(self, link, {static_cast<std::uint8_t>(cluster_op::ping),
                               self->state.store->feed_position(), {}, {}});
  expire_stale(self);
  resend_overdue(self);
  publish_status(self);
  self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
}

caf::result<bool> wait_for_quorum(cluster_actor_pointer self) {
  auto& st = self->state;
  auto id = ++st.next_wait;
  auto promise = self->make_response_promise();
  st.quorum_waits.push_back(quorum_wait{id, st.store->feed_position(), promise});
  settle_quorum_waits(self);
  self->delayed_send(self, st.options.quorum_timeout, quorum_atom::value, id);
  return promise;
}

void quorum_timed_out(cluster_actor_pointer self, std::uint64_t id) {
  std::erase_if(self->state.quorum_waits, [&](quorum_wait& w) {
    if (w.id != id) return false;
    w.promise.deliver(false);
    return true;
  });
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
  std::string error;
  for (auto& peer : st.store->known_peers(error))
    if (peer != st.store->node()) st.remembered.insert(peer);
  if (!error.empty()) spdlog::error("cluster: {}", error);
  for (auto& p : st.options.peers) {
    cluster_dial d;
    d.address = p;
    st.dials.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < st.dials.size(); ++i) dial(self, i);
  self->set_down_handler([self](caf::down_msg& dm) { on_down(self, dm); });
  self->set_default_handler(drop_unexpected);
  self->send(self, tick_atom::value);
  publish_status(self);
  // Messages from other nodes: the handshake, then only sealed ones. The rest are this
  // process's own (a remote sender is refused).
  auto local = [self] { return remote_sender(self).empty(); };
  return {
      [self](cluster_hello& h) { on_hello(self, h); },
      [self](cluster_challenge& c) { on_challenge(self, c); },
      [self](cluster_proof& p) { on_proof(self, p); },
      [self](cluster_sealed& s) { on_sealed(self, s); },
      [self, local](feed_atom, std::uint64_t) {
        if (!local()) return;
        for (auto& [name, link] : self->state.links) pump(self, link);
      },
      [self, local](dial_atom, std::uint64_t idx) {
        if (!local() || idx >= self->state.dials.size()) return;
        if (!self->state.dials[idx].gate) dial(self, idx);
      },
      [self, local](tick_atom) {
        if (local()) tick(self);
      },
      [self, local](quorum_atom) -> caf::result<bool> {
        if (!local()) return false;
        return wait_for_quorum(self);
      },
      [self, local](quorum_atom, std::uint64_t id) {
        if (local()) quorum_timed_out(self, id);
      },
  };
}

}  // namespace sb
