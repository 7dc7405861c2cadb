#include "actors/accounts_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>

namespace sb {

namespace {

using accounts_pointer = accounts_actor::stateful_pointer<accounts_state>;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

account_reply refuse(account_status status, std::string why) {
  return {status, std::move(why), std::nullopt, std::nullopt, nullptr};
}

// Writes `c` durably, then makes `next` the accounts everyone reads.
account_reply commit(accounts_pointer self, accounts_snapshot next,
                     const account_store::change& c) {
  auto& st = self->state;
  std::string error;
  if (st.store && !st.store->write(c, error)) {
    spdlog::error("accounts_actor: {}", error);
    return refuse(account_status::failed, "could not store the change: " + error);
  }
  next.generation = st.current->generation + 1;
  if (!c.groups.empty() || !c.deleted.empty()) next.index_memberships();
  st.current = std::make_shared<const accounts_snapshot>(std::move(next));
  if (st.published) st.published->publish(st.current);
  for (auto& f : st.followers) self->send(f, accounts_atom::value, st.current);
  account_reply r{account_status::done, {}, std::nullopt, std::nullopt, st.current};
  if (c.users.size() == 1) r.user = c.users.front();
  if (c.groups.size() == 1) r.group = c.groups.front();
  return r;
}

// Drops the revocations `moot` picks (past their expiry, or of a user whose every token has
// ended anyway), with their records.
template <class Pred>
void forget_revoked(accounts_snapshot& next, account_store::change& c, Pred moot) {
  for (auto it = next.revoked_tokens.begin(); it != next.revoked_tokens.end();)
    if (moot(it->second)) {
      c.deleted.emplace_back(account_store::revoked_kind, it->first);
      it = next.revoked_tokens.erase(it);
    } else {
      ++it;
    }
}

void insert_user(accounts_snapshot& s, const user_account& u) {
  s.user_by_email[u.email] = u.id;
  s.users[u.id] = std::make_shared<const user_account>(u);
  if (s.primary_admin.empty()) s.primary_admin = u.id;
}

account_reply on(accounts_pointer self, signup_user& cmd) {
  auto next = *self->state.current;
  if (next.user_by_email.count(cmd.user.email)) return refuse(account_status::email_taken, {});
  bool first = next.users.empty();
  if (!first && !cmd.open) return refuse(account_status::signup_closed, {});
  cmd.user.role = first ? account_role::admin : cmd.role_when_not_first;
  cmd.user.created_at = cmd.user.updated_at = cmd.user.last_active_at = now_s();
  insert_user(next, cmd.user);
  return commit(self, std::move(next), {.users = {cmd.user}});
}

account_reply on(accounts_pointer self, add_user& cmd) {
  auto next = *self->state.current;
  if (next.user_by_email.count(cmd.user.email)) return refuse(account_status::email_taken, {});
  cmd.user.created_at = cmd.user.updated_at = now_s();
  insert_user(next, cmd.user);
  return commit(self, std::move(next), {.users = {cmd.user}});
}

account_reply on(accounts_pointer self, update_user& cmd) {
  auto next = *self->state.current;
  auto it = next.users.find(cmd.id);
  if (it == next.users.end()) return refuse(account_status::not_found, {});
  auto u = *it->second;
  bool primary = cmd.id == next.primary_admin;
  if (primary && cmd.by != cmd.id)
    return refuse(account_status::prohibited, "only the first admin may change their account");
  if (primary && cmd.role && *cmd.role != account_role::admin)
    return refuse(account_status::prohibited, "the first admin stays an admin");
  if (cmd.email && *cmd.email != u.email) {
    if (next.user_by_email.count(*cmd.email)) return refuse(account_status::email_taken, {});
    next.user_by_email.erase(u.email);
    u.email = *cmd.email;
    next.user_by_email[u.email] = u.id;
  }
  if (cmd.name) u.name = *cmd.name;
  if (cmd.profile_image_url) u.profile_image_url = *cmd.profile_image_url;
  // A new password or role ends every token issued before it.
  bool ends_tokens = cmd.password_hash || (cmd.role && *cmd.role != u.role);
  if (cmd.password_hash) u.password_hash = *cmd.password_hash;
  if (cmd.role) u.role = *cmd.role;
  if (ends_tokens) ++u.epoch;
  u.updated_at = now_s();
  it->second = std::make_shared<const user_account>(u);
  return commit(self, std::move(next), {.users = {std::move(u)}});
}

account_reply on(accounts_pointer self, delete_user& cmd) {
  auto next = *self->state.current;
  auto it = next.users.find(cmd.id);
  if (it == next.users.end()) return refuse(account_status::not_found, {});
  if (cmd.id == cmd.by) return refuse(account_status::prohibited, "you cannot delete yourself");
  if (cmd.id == next.primary_admin)
    return refuse(account_status::prohibited, "the first admin cannot be deleted");
  account_store::change c;
  c.deleted.emplace_back(account_store::user_kind, cmd.id);
  c.deleted.emplace_back(account_store::activity_kind, cmd.id);
  next.user_by_email.erase(it->second->email);
  next.users.erase(it);
  for (auto k = next.keys_by_hash.begin(); k != next.keys_by_hash.end();)
    if (k->second->user_id == cmd.id) {
      c.deleted.emplace_back(account_store::key_kind, k->second->id);
      k = next.keys_by_hash.erase(k);
    } else {
      ++k;
    }
  forget_revoked(next, c, [&](const revoked_token& t) { return t.user_id == cmd.id; });
  for (auto& [id, g] : next.groups) {
    auto& m = g.member_ids;
    if (std::find(m.begin(), m.end(), cmd.id) == m.end()) continue;
    m.erase(std::remove(m.begin(), m.end(), cmd.id), m.end());
    g.updated_at = now_s();
    c.groups.push_back(g);
  }
  auto r = commit(self, std::move(next), c);
  r.group.reset();
  return r;
}

account_reply on(accounts_pointer self, set_api_key& cmd) {
  auto next = *self->state.current;
  if (!next.users.count(cmd.user_id)) return refuse(account_status::not_found, {});
  account_store::change c;
  bool had = false;
  for (auto k = next.keys_by_hash.begin(); k != next.keys_by_hash.end();)
    if (k->second->user_id == cmd.user_id) {
      had = true;
      if (!cmd.key) c.deleted.emplace_back(account_store::key_kind, k->second->id);
      k = next.keys_by_hash.erase(k);
    } else {
      ++k;
    }
  if (cmd.key) {
    cmd.key->created_at = now_s();
    next.keys_by_hash[cmd.key->hash] = std::make_shared<const api_key_account>(*cmd.key);
    c.keys.push_back(*cmd.key);
  } else if (!had) {
    return refuse(account_status::not_found, {});
  }
  return commit(self, std::move(next), c);
}

// A user who piles up this many live revocations (signing in and out in a loop) gets a new
// epoch instead: all of their tokens end at once, and the pile goes with them.
constexpr std::size_t max_revoked_per_user = 64;

account_reply on(accounts_pointer self, revoke_token& cmd) {
  auto next = *self->state.current;
  auto user = next.users.find(cmd.token.user_id);
  if (user == next.users.end() || next.revoked_tokens.count(cmd.token_id))
    return {account_status::done, {}, std::nullopt, std::nullopt, self->state.current};
  account_store::change c;
  auto now = now_s();
  forget_revoked(next, c, [now](const revoked_token& t) {
    return t.expires_at != 0 && t.expires_at <= now;
  });
  auto& id = cmd.token.user_id;
  auto theirs = std::count_if(next.revoked_tokens.begin(), next.revoked_tokens.end(),
                              [&](auto& r) { return r.second.user_id == id; });
  if (static_cast<std::size_t>(theirs) < max_revoked_per_user) {
    c.revoked.emplace_back(cmd.token_id, cmd.token);
    next.revoked_tokens.emplace(cmd.token_id, std::move(cmd.token));
    return commit(self, std::move(next), c);
  }
  forget_revoked(next, c, [&](const revoked_token& t) { return t.user_id == id; });
  auto changed = *user->second;
  ++changed.epoch;
  user->second = std::make_shared<const user_account>(changed);
  c.users.push_back(std::move(changed));
  auto r = commit(self, std::move(next), c);
  r.user.reset();
  return r;
}

account_reply on(accounts_pointer self, set_default_permissions& cmd) {
  auto next = *self->state.current;
  next.default_permissions = cmd.permissions;
  return commit(self, std::move(next), {.default_permissions = std::move(cmd.permissions)});
}

account_reply on(accounts_pointer self, touch_user& cmd) {
  auto next = *self->state.current;
  auto it = next.users.find(cmd.id);
  if (it == next.users.end()) return refuse(account_status::not_found, {});
  auto changed = *it->second;
  changed.last_active_at = now_s();
  it->second = std::make_shared<const user_account>(changed);
  auto r = commit(self, std::move(next), {.activity = {{changed.id, changed.last_active_at}}});
  if (r.status == account_status::done) r.user = std::move(changed);
  return r;
}

account_reply on(accounts_pointer self, save_group& cmd) {
  auto next = *self->state.current;
  auto& g = cmd.group;
  auto it = next.groups.find(g.id);
  g.updated_at = now_s();
  if (it == next.groups.end()) {
    g.created_at = g.updated_at;
  } else {
    g.created_at = it->second.created_at;
    g.user_id = it->second.user_id;
    if (!cmd.members_given) g.member_ids = it->second.member_ids;
  }
  std::erase_if(g.member_ids, [&](const std::string& id) { return !next.users.count(id); });
  next.groups[g.id] = g;
  return commit(self, std::move(next), {.groups = {g}});
}

account_reply on(accounts_pointer self, change_members& cmd) {
  auto next = *self->state.current;
  auto it = next.groups.find(cmd.group_id);
  if (it == next.groups.end()) return refuse(account_status::not_found, {});
  auto& m = it->second.member_ids;
  for (auto& id : cmd.user_ids) {
    bool in = std::find(m.begin(), m.end(), id) != m.end();
    if (cmd.add && !in && next.users.count(id)) m.push_back(id);
    if (!cmd.add && in) m.erase(std::remove(m.begin(), m.end(), id), m.end());
  }
  it->second.updated_at = now_s();
  auto changed = it->second;
  return commit(self, std::move(next), {.groups = {changed}});
}

account_reply on(accounts_pointer self, delete_group& cmd) {
  auto next = *self->state.current;
  if (!next.groups.erase(cmd.group_id)) return refuse(account_status::not_found, {});
  return commit(self, std::move(next),
                {.deleted = {{std::string(account_store::group_kind), cmd.group_id}}});
}

// Writes last_active_at = now for every user seen since the last flush, in one change.
void flush_activity(accounts_pointer self) {
  auto& st = self->state;
  st.flush_armed = false;
  auto next = *st.current;
  account_store::change c;
  auto now = now_s();
  for (auto& id : st.active) {
    auto it = next.users.find(id);
    if (it == next.users.end() || it->second->last_active_at >= now) continue;
    auto changed = *it->second;
    changed.last_active_at = now;
    it->second = std::make_shared<const user_account>(changed);
    c.activity.emplace_back(id, now);
  }
  st.active.clear();
  if (!c.activity.empty()) commit(self, std::move(next), c);
}

// A peer's change was merged into the store: the accounts are what it holds now. The
// permissions stay the environment's until some are stored, as at start.
void reload(accounts_pointer self) {
  auto& st = self->state;
  if (!st.store) return;
  accounts_snapshot next;
  std::string error;
  if (!st.store->load(next, error)) {
    spdlog::error("accounts_actor: cannot reload what a peer sent: {}", error);
    return;
  }
  if (next.default_permissions.empty()) next.default_permissions = st.current->default_permissions;
  next.generation = st.current->generation + 1;
  st.current = std::make_shared<const accounts_snapshot>(std::move(next));
  if (st.published) st.published->publish(st.current);
  for (auto& f : st.followers) self->send(f, accounts_atom::value, st.current);
}

}  // namespace

accounts_actor::behavior_type accounts_actor_impl(
    accounts_actor::stateful_pointer<accounts_state> self, std::shared_ptr<account_store> store,
    accounts_snapshot initial, snapshot_cell<accounts_snapshot>* published) {
  self->state.store = std::move(store);
  self->state.current = std::make_shared<const accounts_snapshot>(std::move(initial));
  self->state.published = published;
  if (published) published->publish(self->state.current);
  // Activity seen in the last window is written before the actor goes.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    flush_activity(self);
    self->quit(msg.reason);
  });
  return {
      [self](account_atom, account_command& cmd) -> account_reply {
        return std::visit([self](auto& c) { return on(self, c); }, cmd);
      },
      [self](active_atom, std::string& user_id) {
        auto& st = self->state;
        st.active.insert(std::move(user_id));
        if (st.flush_armed) return;
        st.flush_armed = true;
        self->delayed_send(self, activity_window, flush_atom::value);
      },
      [self](flush_atom) { flush_activity(self); },
      [self](subscribe_atom, accounts_subscriber& follower) {
        self->send(follower, accounts_atom::value, self->state.current);
        self->state.followers.push_back(std::move(follower));
      },
      [self](merged_atom) { reload(self); },
  };
}

}  // namespace sb
