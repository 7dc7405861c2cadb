#include "actors/limits_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <set>

#include "actors/limit_table.hpp"

namespace sb {

namespace {

using limits_pointer = limits_actor::stateful_pointer<limits_state>;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What each user, key and model has spent since a time, from one scan of the usage rows.
class spent_since {
 public:
  spent_since(usage_store* usage, const std::vector<limit_rule>& rules) : usage_(usage) {
    for (auto& r : rules)
      if (r.free) (r.scope == limit_scope::model ? free_models_ : free_connections_).insert(r.id);
  }
  std::int64_t operator()(limit_scope scope, const std::string& id, std::int64_t since) {
    auto& sums = sums_for(since);
    auto index = scope == limit_scope::key ? 1 : scope == limit_scope::model ? 2 : 0;
    auto it = sums[index].find(id);
    return it == sums[index].end() ? 0 : it->second;
  }

 private:
  using totals = std::array<std::map<std::string, std::int64_t>, 3>;  // users, keys, models
  totals& sums_for(std::int64_t since) {
    auto [it, fresh] = cache_.try_emplace(since);
    if (!fresh || !usage_) return it->second;
    auto& sums = it->second;
    std::string error;
    auto now_hour = now_s() / 3600;
    usage_->scan(since / 3600, now_hour + 1, [&](const usage_row& row) {
      if (free_models_.count(row.key.model) || free_connections_.count(row.key.connection)) return;
      auto tokens = static_cast<std::int64_t>(row.counts.prompt_tokens + row.counts.completion_tokens);
      sums[0][row.key.user_id] += tokens;
      if (!row.key.api_key_id.empty()) sums[1][row.key.api_key_id] += tokens;
      sums[2][row.key.model] += tokens;
    }, error);
    if (!error.empty()) spdlog::error("limits_actor: spent tokens not read: {}", error);
    return sums;
  }
  usage_store* usage_;
  std::set<std::string> free_models_, free_connections_;
  std::map<std::int64_t, totals> cache_;
};

void rebuild(limits_pointer self) {
  auto& st = self->state;
  static const accounts_snapshot no_accounts;
  spent_since spent(st.usage.get(), st.rules);
  auto next = std::make_shared<const limits_snapshot>(build_limit_table(
      st.rules, st.accounts ? *st.accounts : no_accounts, *st.current, std::ref(spent), now_s(),
      st.members));
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
                                  const accounts_snapshot& accounts, usage_store* usage) {
  spent_since spent(usage, rules);
  return build_limit_table(rules, accounts, limits_snapshot{}, std::ref(spent), now_s());
}

limits_actor::behavior_type limits_actor_impl(limits_actor::stateful_pointer<limits_state> self,
                                              std::shared_ptr<limit_store> store,
                                              std::shared_ptr<usage_store> usage,
                                              std::vector<limit_rule> rules,
                                              snapshot_cell<limits_snapshot>* published,
                                              std::atomic<bool>* active) {
  auto& st = self->state;
  st.store = std::move(store);
  st.usage = std::move(usage);
  st.rules = std::move(rules);
  st.published = published;
  st.active = active;
  if (published) st.current = published->load();
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
      [self](members_atom, std::uint64_t n) {
        auto& st = self->state;
        if (n == 0 || n == st.members) return;
        st.members = n;
        if (!st.rules.empty()) rebuild(self);
      },
  };
}

}  // namespace sb
