#include "actors/limits_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <set>

#include "actors/limit_table.hpp"
#include "actors/spent_tokens.hpp"

namespace sb {

namespace {

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void rebuild(limits_pointer self) {
  auto& st = self->state;
  static const accounts_snapshot no_accounts;
  spent_since spent(st.usage.get(), st.rules);
  auto next = std::make_shared<const limits_snapshot>(build_limit_table(
      st.rules, st.accounts ? *st.accounts : no_accounts, *st.current, std::ref(spent), now_s(),
      {std::max<std::size_t>(st.view.up.size(), 1), st.ledger != nullptr}));
  st.current = next;
  if (st.published) st.published->publish(next);
  if (st.active) st.active->store(!next->empty(), std::memory_order_release);
}

limit_reply on(limits_pointer self, put_limit& cmd) {
  auto& st = self->state;
  if (cmd.rule.updated_at == 0) cmd.rule.updated_at = now_s();
  std::string error;
  if (st.store && !st.store->put(cmd.rule, error)) {
    spdlog::error("limits_actor: {}", error);
    return {limit_status::failed, "could not store the limit: " + error};
  }
  auto same = [&](const limit_rule& r) { return r.scope == cmd.rule.scope && r.id == cmd.rule.id; };
  if (auto it = std::find_if(st.rules.begin(), st.rules.end(), same); it != st.rules.end())
    *it = std::move(cmd.rule);
  else
    st.rules.push_back(std::move(cmd.rule));
  std::sort(st.rules.begin(), st.rules.end(), [](const limit_rule& a, const limit_rule& b) {
    return std::tie(a.scope, a.id) < std::tie(b.scope, b.id);
  });
  rebuild(self);
  return {limit_status::done, {}};
}

limit_reply on(limits_pointer self, delete_limit& cmd) {
  auto& st = self->state;
  auto same = [&](const limit_rule& r) { return r.scope == cmd.scope && r.id == cmd.id; };
  auto it = std::find_if(st.rules.begin(), st.rules.end(), same);
  if (it == st.rules.end()) return {limit_status::not_found, {}};
  std::string error;
  if (st.store && !st.store->remove(cmd.scope, cmd.id, error)) {
    spdlog::error("limits_actor: {}", error);
    return {limit_status::failed, "could not store the change: " + error};
  }
  st.rules.erase(it);
  rebuild(self);
  return {limit_status::done, {}};
}

// A peer's change was merged into the store: the rules are what it holds now.
void reload(limits_pointer self) {
  auto& st = self->state;
  if (!st.store) return;
  std::vector<limit_rule> rules;
  std::string error;
  if (!st.store->load(rules, error)) {
    spdlog::error("limits_actor: cannot reload what a peer sent: {}", error);
    return;
  }
  st.rules = std::move(rules);
  rebuild(self);
}

}  // namespace

limits_snapshot first_limit_table(const std::vector<limit_rule>& rules,
                                  const accounts_snapshot& accounts, usage_store* usage,
                                  bool leased) {
  spent_since spent(usage, rules);
  return build_limit_table(rules, accounts, limits_snapshot{}, std::ref(spent), now_s(),
                           {1, leased});
}

limits_actor::behavior_type limits_actor_impl(limits_pointer self,
                                              std::shared_ptr<limit_store> store,
                                              std::shared_ptr<usage_store> usage,
                                              std::vector<limit_rule> rules,
                                              snapshot_cell<limits_snapshot>* published,
                                              std::atomic<bool>* active,
                                              std::shared_ptr<lease_store> leases) {
  auto& st = self->state;
  st.store = std::move(store);
  st.usage = std::move(usage);
  st.rules = std::move(rules);
  st.published = published;
  st.active = active;
  if (published) st.current = published->load();
  st.leases = std::move(leases);
  if (st.leases) start_leases(self);
  // The accounts come with the subscription (main subscribes this actor at once).
  return {
      [self](limit_atom, limit_command& cmd) {
        return std::visit([&](auto& c) { return on(self, c); }, cmd);
      },
      [self](accounts_atom, shared_accounts accounts) {
        self->state.accounts = std::move(accounts);
        if (!self->state.rules.empty()) rebuild(self);
      },
      [self](merged_atom) { reload(self); },
      [self](members_atom, cluster_view& v) {
        auto& st = self->state;
        bool recount = v.up.size() != st.view.up.size();
        st.view = std::move(v);
        // Before any answer the gate sends after it (a quorum reached over the new links).
        if (st.ledger) st.ledger->membership(st.view);
        if (recount && !st.rules.empty()) rebuild(self);
      },
      [self](quorum_atom, caf::actor& gate) { self->state.gate = std::move(gate); },
      [self](lease_records& r) { take_lease_records(self, r); },
      [self](tick_atom) { lease_round(self); },
  };
}

}  // namespace sb
