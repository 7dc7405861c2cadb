// The cluster actor's replication: our feed out to subscribed peers, one batch in flight each
// (the ack opens the next, so a peer far behind is fed at the pace it applies, never flooded),
// and peers' batches merged in.
#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include <algorithm>

#include "actors/cluster_actor.hpp"
#include "actors/cluster_replica.hpp"
#include "messages/protocols.hpp"

namespace sb {

void send_sealed(cluster_actor_pointer self, cluster_link& link, const cluster_content& c) {
  self->send(link.gate, seal(link.keys, self->home_system(), c));
}

void pump(cluster_actor_pointer self, cluster_link& link) {
  if (!link.up || !link.subscribed || link.sent_upto != link.acked_upto) return;
  auto& st = self->state;
  std::string error;
  auto page = st.store->changes_after(link.sent_upto, st.options.batch_records, error);
  if (!error.empty()) {
    spdlog::error("cluster: cannot read the change feed: {}", error);
    return;
  }
  if (page.upto == link.sent_upto) return;
  link.sent_upto = page.upto;
  link.sent_at = std::chrono::steady_clock::now();
  cluster_content c{static_cast<std::uint8_t>(cluster_op::batch), 0, st.store->epoch(),
                    {std::move(page.records), page.upto, st.store->feed_position()}};
  send_sealed(self, link, c);
}

void apply_batch(cluster_actor_pointer self, const std::string& node, cluster_content& c) {
  auto& st = self->state;
  auto& link = st.links[node];
  auto& batch = c.batch;
  link.their_feed = batch.feed;
  std::erase_if(batch.records, [&](const record& r) {
    auto why = replica_fault(r, hybrid_clock::wall_ms());
    if (why.empty()) return false;
    spdlog::warn("cluster: dropped {}'s record {}/{} ({})", node, r.kind.substr(0, 32),
                 r.id.substr(0, 64), why);
    return true;
  });
  std::string error;
  auto stored = st.store->merge(batch.records, node, {c.epoch, batch.upto}, error);
  if (!stored) {
    // Not acknowledged: the peer sends nothing more until it is, and a reconnect starts again
    // from the last position stored.
    spdlog::error("cluster: cannot store what {} sent: {}", node, error);
    return;
  }
  link.applied_upto = batch.upto;
  if (!stored->empty() && st.on_merged) st.on_merged(*stored);
  send_sealed(self, link, {static_cast<std::uint8_t>(cluster_op::ack), batch.upto, {}, {}});
  tell_members(self);
}

namespace {

// A subscription: the peer's feed position in our feed's epoch, or from the start.
void on_subscribe(cluster_actor_pointer self, cluster_link& link, const cluster_content& c) {
  auto& st = self->state;
  auto feed = st.store->feed_position();
  bool ours = c.epoch == st.store->epoch() && c.position <= feed;
  link.sent_upto = link.acked_upto = ours ? c.position : 0;
  link.subscribed = true;
  pump(self, link);
}

// A ping says where the peer's feed ends; the second after a membership change is what this node
// must apply to be in sync (the first may have left before the peer stored a change it then
// acknowledged to a node that has died since).
void on_ping(cluster_actor_pointer self, cluster_link& link, std::uint64_t feed) {
  link.their_feed = std::max(link.their_feed, feed);
  if (!link.sync_pending || ++link.pings_since_change < 2) return;
  link.sync_pending = false;
  link.sync_target = feed;
  tell_members(self);
}

void on_ack(cluster_actor_pointer self, cluster_link& link, std::uint64_t upto) {
  if (upto == link.sent_upto) link.acked_upto = upto;
  pump(self, link);
  settle_quorum_waits(self);
}

}  // namespace

std::uint64_t send_subscribe(cluster_actor_pointer self, cluster_link& link,
                             const std::string& name, cluster_op op) {
  std::string error;
  auto mark = self->state.store->peer_position(name, error);
  if (!error.empty()) spdlog::error("cluster: {}", error);
  send_sealed(self, link, {static_cast<std::uint8_t>(op), mark.position, mark.epoch, {}});
  link.applied_upto = mark.position;  // a peer with nothing newer sends no batch
  return mark.position;
}

void resend_overdue(cluster_actor_pointer self) {
  auto now = std::chrono::steady_clock::now();
  for (auto& [name, link] : self->state.links)
    if (link.up && link.subscribed && link.sent_upto != link.acked_upto &&
        now - link.sent_at > ack_deadline) {
      link.sent_upto = link.acked_upto;
      pump(self, link);
    }
}

void on_sealed(cluster_actor_pointer self, const cluster_sealed& s) {
  auto& st = self->state;
  auto caf_node = remote_sender(self);
  auto name = st.name_of.find(caf_node);
  if (caf_node.empty() || name == st.name_of.end())
    return refuse_stranger(self, caf_node, "a sealed message from no peer");
  auto& link = st.links[name->second];
  cluster_content c;
  if (!unseal(link.keys, self->home_system(), s, c))
    return refuse_stranger(self, caf_node, "a sealed message that does not open");
  link.heard = std::chrono::steady_clock::now();
  link.last_heard_ms = static_cast<std::int64_t>(hybrid_clock::wall_ms());
  if (!link.up) {  // a forged down, or a silence that ended: the keys still hold
    link.up = true;
    link.gate = caf::actor_cast<caf::actor>(self->current_sender());
    // It goes on with our feed from what it acknowledged; we ask for its feed again.
    link.subscribed = true;
    link.sent_upto = link.acked_upto;
    pump(self, link);
    send_subscribe(self, link, name->second, cluster_op::subscribe_both);
    publish_status(self);
  }
  switch (static_cast<cluster_op>(c.op)) {
    case cluster_op::subscribe: return on_subscribe(self, link, c);
    case cluster_op::subscribe_both:
      on_subscribe(self, link, c);
      send_subscribe(self, link, name->second, cluster_op::subscribe);
      return;
    case cluster_op::batch: return apply_batch(self, name->second, c);
    case cluster_op::ack: return on_ack(self, link, c.position);
    case cluster_op::ping: return on_ping(self, link, c.position);
  }
}

namespace {

// This node and every peer it dials or that dialled it. A dial not yet answered is one of the
// peers it names, or one more: counted as the larger of the two, never twice (a dial to a peer
// that dialled us first has no name until its own handshake ends, and a majority of four needs
// three nodes where one of three needs two).
std::size_t known_nodes(const cluster_state& st) {
  std::set<std::string> named = st.remembered;
  for (auto& d : st.dials)
    if (!d.node.empty()) named.insert(d.node);
  for (auto& [name, l] : st.links) named.insert(name);
  return 1 + std::max(named.size(), st.dials.size());
}

}  // namespace

void settle_quorum_waits(cluster_actor_pointer self) {
  auto& st = self->state;
  auto majority = known_nodes(st) / 2 + 1;
  std::erase_if(st.quorum_waits, [&](quorum_wait& w) {
    std::size_t holding = 1;  // this node
    for (auto& [name, l] : st.links) holding += l.acked_upto >= w.upto ? 1 : 0;
    if (holding < majority) return false;
    w.promise.deliver(true);
    return true;
  });
}

void tell_members(cluster_actor_pointer self) {
  auto& st = self->state;
  cluster_view v;
  v.up.push_back(st.store->node());
  for (auto& [name, l] : st.links)
    if (l.up) v.up.push_back(name);
  std::sort(v.up.begin(), v.up.end());
  v.configured = known_nodes(st);
  if (v.up != st.view_told.up)  // a change: every peer's feed is to be caught up with again
    for (auto& [name, l] : st.links) {
      l.sync_pending = true;
      l.pings_since_change = 0;
    }
  v.synced = true;
  for (auto& [name, l] : st.links)
    if (l.up) v.synced = v.synced && !l.sync_pending && l.applied_upto >= l.sync_target;
  if (v == st.view_told) return;
  st.view_told = v;
  if (st.on_members) st.on_members(v);
}

void publish_status(cluster_actor_pointer self) {
  auto& st = self->state;
  tell_members(self);
  auto up = st.view_told.up.size();
  if (!st.published) return;
  auto s = std::make_shared<cluster_status>();
  s->enabled = true;
  s->node = st.store->node();
  s->feed = st.store->feed_position();
  s->strangers_refused = st.strangers_refused;
  std::set<std::string> listed;
  for (auto& d : st.dials) {
    cluster_peer_status p{d.node, d.address.text(), d.state, 0, 0, 0};
    if (auto it = st.links.find(d.node); !d.node.empty() && it != st.links.end()) {
      auto& l = it->second;
      p.state = l.up ? "up" : (d.state == "up" ? "down" : d.state);
      p.behind_us = s->feed > l.acked_upto ? s->feed - l.acked_upto : 0;
      p.behind_it = l.their_feed > l.applied_upto ? l.their_feed - l.applied_upto : 0;
      p.last_heard_ms = l.last_heard_ms;
      listed.insert(d.node);
    }
    s->peers.push_back(std::move(p));
  }
  for (auto& [name, l] : st.links) {
    if (listed.count(name)) continue;
    s->peers.push_back({name, l.address, l.up ? "up" : "down",
                        s->feed > l.acked_upto ? s->feed - l.acked_upto : 0,
                        l.their_feed > l.applied_upto ? l.their_feed - l.applied_upto : 0,
                        l.last_heard_ms});
  }
  s->configured = known_nodes(st);
  s->members = up;
  st.published->publish(std::move(s));
}

}  // namespace sb
