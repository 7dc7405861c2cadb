// The cluster actor's replication: our feed out to subscribed peers, one batch in flight each
// (the ack opens the next, so a peer far behind is fed at the pace it applies, never flooded),
// and peers' batches merged in.
#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "actors/cluster_actor.hpp"
#include "messages/protocols.hpp"

namespace sb {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

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
  self->send(link.gate, replica_batch{std::move(page.records), page.upto, st.store->feed_position()});
}

void apply_batch(cluster_actor_pointer self, const std::string& node, replica_batch& batch) {
  auto& st = self->state;
  auto& link = st.links[node];
  link.last_heard_ms = now_ms();
  link.their_feed = batch.feed;
  std::string error;
  auto stored = st.store->merge(batch.records, node, batch.upto, error);
  if (!stored) {
    // Not acknowledged: the peer sends nothing more until it is, and a reconnect starts again
    // from the last position stored.
    spdlog::error("cluster: cannot store what {} sent: {}", node, error);
    return;
  }
  link.applied_upto = batch.upto;
  std::set<std::string> kinds;
  for (auto& r : *stored) kinds.insert(r.kind);
  if (!kinds.empty() && st.on_merged) st.on_merged(kinds);
  self->send(link.gate, ack_atom::value, batch.upto);
}

void publish_status(cluster_actor_pointer self) {
  auto& st = self->state;
  std::size_t up = 1;
  for (auto& [name, l] : st.links) up += l.up ? 1 : 0;
  if (up != st.members_told && st.on_members) st.on_members(up);
  st.members_told = up;
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
  s->configured = 1 + s->peers.size();
  s->members = up;
  st.published->publish(std::move(s));
}

}  // namespace sb
