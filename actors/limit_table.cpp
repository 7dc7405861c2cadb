#include "actors/limit_table.hpp"

#include <fmt/format.h>

#include <map>

#include "config/limit_rules.hpp"

namespace sb {

namespace {

using field = std::optional<std::uint64_t> limit_rule::*;
using subject_field = std::optional<std::uint64_t> limit_subject::*;

struct limit_field {
  field rule;
  subject_field subject;
  limit_kind kind;
};
constexpr limit_field fields[] = {{&limit_rule::rpm, &limit_subject::rpm, limit_kind::rpm},
                                  {&limit_rule::tpm, &limit_subject::tpm, limit_kind::tpm},
                                  {&limit_rule::max_in_flight, &limit_subject::max_in_flight,
                                   limit_kind::in_flight}};

// Takes every limit `r` sets into `s`, said to come from `source`.
limit_subject subject_of(const limit_rule& r, const std::string& source) {
  limit_subject s;
  for (auto& f : fields)
    if (r.*f.rule) {
      s.*f.subject = r.*f.rule;
      s.source[static_cast<std::size_t>(f.kind)] = source;
    }
  if (r.budget_tokens) {
    s.budget_tokens = r.budget_tokens;
    s.period = r.period;
    s.source[static_cast<std::size_t>(limit_kind::budget)] = source;
  }
  return s;
}

// A user's limits: their own rule's, else the tightest of their groups', else the default's.
limit_subject user_limits(const limit_rule* own, const std::vector<std::pair<const limit_rule*, std::string>>& groups,
                          const limit_rule* fallback) {
  limit_subject s;
  for (auto& f : fields) {
    auto k = static_cast<std::size_t>(f.kind);
    if (own && own->*f.rule) {
      s.*f.subject = own->*f.rule;
      s.source[k] = "set for your account";
      continue;
    }
    for (auto& [g, name] : groups)
      if (g->*f.rule && (!(s.*f.subject) || *(g->*f.rule) < *(s.*f.subject))) {
        s.*f.subject = g->*f.rule;
        s.source[k] = fmt::format("set for group '{}'", name);
      }
    if (!(s.*f.subject) && fallback && fallback->*f.rule) {
      s.*f.subject = fallback->*f.rule;
      s.source[k] = "the default for every user";
    }
  }
  // A budget comes whole (tokens and period) from one rule.
  const limit_rule* budget = nullptr;
  std::string source;
  if (own && own->budget_tokens) {
    budget = own;
    source = "set for your account";
  } else {
    for (auto& [g, name] : groups)
      if (g->budget_tokens && (!budget || *g->budget_tokens < *budget->budget_tokens)) {
        budget = g;
        source = fmt::format("set for group '{}'", name);
      }
    if (!budget && fallback && fallback->budget_tokens) {
      budget = fallback;
      source = "the default for every user";
    }
  }
  if (budget) {
    s.budget_tokens = budget->budget_tokens;
    s.period = budget->period;
    s.source[static_cast<std::size_t>(limit_kind::budget)] = std::move(source);
  }
  return s;
}

// Gives `s` the counters it had in `before` (same subject), or new ones whose budget starts from
// what was spent in the period already. A leased budget (a cluster's) keeps counting what this
// gateway spent; a new rule only tells the ledger (budget_epoch), which counts what was
// confirmed before it as spent. Its count is never set back: a request that read the allowance
// before the change must not find room it already used.
void carry_counters(limit_subject& s, const limit_subject* before, limit_scope scope,
                    const std::string& id, const spent_reader& spent, std::int64_t now_s,
                    limit_sharing sharing) {
  bool same_budget = before && before->budget_tokens && before->period == s.period;
  // The same counters, always: windows and the count in flight go on whatever the rules did.
  if (before) s.counters = before->counters;
  if (!s.budget_tokens || same_budget) return;
  if (sharing.leased) {
    s.counters->budget_epoch = limit_counters::next_budget_epoch();
    return;
  }
  auto index = period_index(s.period, now_s);
  auto already = spent ? spent(scope, id, period_start(s.period, index)) : 0;
  s.counters->budget.store(
      limit_counters::budget_word(index, static_cast<std::uint64_t>(std::max<std::int64_t>(already, 0))));
}

template <class Map>
const limit_subject* find_in(const Map& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

// This node's share of a subject's rate limits when `members` gateways are up: each admits
// ceil(limit / members), so requests spread over the cluster meet the limit as a whole.
void take_share(limit_subject& s, std::size_t members) {
  for (auto& f : fields) {
    auto& v = s.*f.subject;
    if (!v) continue;
    auto whole = *v;
    v = (whole + members - 1) / members;
    auto& source = s.source[static_cast<std::size_t>(f.kind)];
    source = fmt::format("{}; this gateway's share of {} across {} gateways", source, whole,
                         members);
  }
}

void share_across(limits_snapshot& t, limit_sharing sharing) {
  for (auto* m : {&t.users, &t.keys, &t.models})
    for (auto& [id, s] : *m) {
      s.leased = sharing.leased && s.budget_tokens.has_value();
      if (sharing.members > 1) take_share(s, sharing.members);
    }
  if (t.unlisted) {  // a user the table does not list has no lease of their own yet
    t.unlisted->leased = sharing.leased && t.unlisted->budget_tokens.has_value();
    if (sharing.members > 1) take_share(*t.unlisted, sharing.members);
  }
}

}  // namespace

limits_snapshot build_limit_table(const std::vector<limit_rule>& rules,
                                  const accounts_snapshot& accounts, const limits_snapshot& before,
                                  const spent_reader& spent, std::int64_t now_s,
                                  limit_sharing sharing) {
  limits_snapshot t;
  t.generation = before.generation + 1;
  t.rules = rules;
  std::map<std::string, const limit_rule*> users, groups;
  const limit_rule* fallback = nullptr;
  for (auto& r : rules) {
    auto source = fmt::format("set for {} '{}'", r.scope == limit_scope::key ? "API key" : "model", r.id);
    switch (r.scope) {
      case limit_scope::user: users[r.id] = &r; break;
      case limit_scope::group: groups[r.id] = &r; break;
      case limit_scope::fallback: fallback = &r; break;
      case limit_scope::key:
      case limit_scope::model: {
        auto s = subject_of(r, source);
        if (r.scope == limit_scope::model) {
          if (r.max_output_tokens) t.max_output_tokens[r.id] = *r.max_output_tokens;
          if (r.free) t.free_models.insert(r.id);
        }
        if (!s.any()) break;
        auto& into = r.scope == limit_scope::key ? t.keys : t.models;
        auto& was = r.scope == limit_scope::key ? before.keys : before.models;
        carry_counters(s, find_in(was, r.id), r.scope, r.id, spent, now_s, sharing);
        into.emplace(r.id, std::move(s));
        break;
      }
      case limit_scope::connection:
        if (r.free) t.free_connections.insert(r.id);
        break;
    }
  }
  // The users any rule reaches: everyone under a default, members of limited groups, and those
  // with a rule of their own.
  std::map<std::string, std::vector<std::pair<const limit_rule*, std::string>>> reached;
  if (fallback)
    for (auto& [id, _] : accounts.users) reached[id];
  for (auto& [gid, rule] : groups)
    if (auto g = accounts.groups.find(gid); g != accounts.groups.end())
      for (auto& member : g->second.member_ids) reached[member].emplace_back(rule, g->second.name);
  for (auto& [id, _] : users) reached[id];
  for (auto& [id, in_groups] : reached) {
    auto own = users.find(id);
    auto s = user_limits(own == users.end() ? nullptr : own->second, in_groups, fallback);
    if (!s.any()) continue;
    carry_counters(s, find_in(before.users, id), limit_scope::user, id, spent, now_s, sharing);
    t.users.emplace(id, std::move(s));
  }
  if (fallback) {
    auto s = user_limits(nullptr, {}, fallback);
    if (s.any()) {
      carry_counters(s, before.unlisted ? &*before.unlisted : nullptr, limit_scope::fallback, "*",
                     nullptr, now_s, sharing);
      t.unlisted = std::move(s);
    }
  }
  share_across(t, sharing);
  return t;
}

}  // namespace sb
