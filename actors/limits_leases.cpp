// The limits actor's budget leases in a cluster (actors/budget_ledger.hpp has the scheme): the
// rounds, the leases stored, and the grants' wait for a majority.
#include <spdlog/spdlog.h>

#include <caf/all.hpp>
#include <chrono>
#include <tuple>
#include <vector>

#include "actors/limits_actor.hpp"
#include "actors/spent_tokens.hpp"
#include "config/limit_rules.hpp"

namespace sb {

namespace {

constexpr auto round_every = std::chrono::milliseconds(100);

// The budgets the table holds now, each in its current period.
std::vector<leased_budget> leased_budgets(const limits_snapshot& t, std::int64_t now_s) {
  std::vector<leased_budget> out;
  auto add = [&](limit_scope scope, const limits_snapshot::by_text<limit_subject>& subjects) {
    for (auto& [id, s] : subjects)
      if (s.leased && s.budget_tokens)
        out.push_back({{s.period, period_index(s.period, now_s), scope, id}, *s.budget_tokens,
                       s.counters});
  };
  add(limit_scope::user, t.users);
  add(limit_scope::key, t.keys);
  add(limit_scope::model, t.models);
  return out;
}

void store_writes(limits_pointer self, ledger_writes w, bool await_majority);

// Grants are confirmed (and may be spent) only once a majority holds them.
void await_majority(limits_pointer self,
                    std::vector<std::pair<lease_subject, lease_grants>> leases) {
  auto written = std::make_shared<decltype(leases)>(std::move(leases));
  auto settle = [self, written](bool held) {
    auto& st = self->state;
    store_writes(self, st.ledger->settled(*written, held, st.view), false);
  };
  if (!self->state.gate) return settle(false);
  self->request(self->state.gate, caf::infinite, quorum_atom::value)
      .then([settle](bool held) { settle(held); }, [settle](caf::error&) { settle(false); });
}

void store_writes(limits_pointer self, ledger_writes w, bool await) {
  auto& st = self->state;
  if (w.empty()) return;
  std::string error;
  if (!st.leases->write(w.leases, w.wants, st.ledger->node(), st.ledger->incarnation(), error)) {
    spdlog::error("limits_actor: budget leases not stored: {}", error);
    st.ledger->unsaved(w, st.view);
    return;
  }
  if (await && !w.leases.empty()) await_majority(self, std::move(w.leases));
}

// The budgets of the table now, listed again only when the table or a period changes.
const std::vector<leased_budget>& budgets_now(limits_pointer self) {
  auto& st = self->state;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto day = now / 86400;
  if (st.budgets_of != st.current || st.budgets_day != day) {
    st.budgets = leased_budgets(*st.current, now);
    st.budgets_of = st.current;
    st.budgets_day = day;
    st.ledger->forget_before(st.budgets);
  }
  return st.budgets;
}

void run_round(limits_pointer self) {
  auto& st = self->state;
  auto& budgets = budgets_now(self);
  spent_since spent(st.usage.get(), st.rules);
  auto writes = st.ledger->round(budgets, st.view, [&](const lease_subject& s) {
    auto n = spent(s.scope, s.id, period_start(s.period, s.index));
    return static_cast<std::uint64_t>(std::max<std::int64_t>(n, 0));
  });
  store_writes(self, std::move(writes), true);
}

}  // namespace

void start_leases(limits_pointer self) {
  auto& st = self->state;
  auto& node = st.leases->records().node();
  std::string error;
  std::vector<std::tuple<lease_subject, std::string, lease_grants>> leases;
  std::vector<std::tuple<lease_subject, std::string, lease_ask>> wants;
  if (!st.leases->load(
          [&](const lease_subject& s, const std::string& keeper, lease_grants l) {
            leases.emplace_back(s, keeper, std::move(l));
          },
          [&](const lease_subject& s, const std::string& incarnation, lease_ask w) {
            wants.emplace_back(s, incarnation, w);
          },
          error))
    spdlog::error("limits_actor: budget leases not read: {}", error);
  // A new incarnation each start, named after every stamp read (what the last one was granted
  // is never spent again).
  st.ledger = std::make_unique<budget_ledger>(
      node, incarnation_name(node, st.leases->records().next_version().stamp));
  auto& ledger = *st.ledger;
  for (auto& [s, keeper, l] : leases) ledger.held_lease(s, keeper, l);
  for (auto& [s, incarnation, w] : wants) ledger.held_want(s, incarnation, w);
  spdlog::info("limits: budgets are leased across the cluster (this gateway: {})",
               ledger.incarnation());
  self->send(self, tick_atom::value);
}

void lease_round(limits_pointer self) {
  if (!self->state.ledger) return;
  run_round(self);
  self->delayed_send(self, round_every, tick_atom::value);
}

void take_lease_records(limits_pointer self, const lease_records& r) {
  auto& st = self->state;
  if (!st.ledger) return;
  for (auto& rec : r.records) {
    auto s = lease_record_subject(rec.id);
    if (rec.deleted || !s) continue;
    lease_grants l;
    lease_ask w;
    if (rec.kind == lease_kind && decode_lease(rec.data, l))
      st.ledger->held_lease(s->first, s->second, l);
    else if (rec.kind == want_kind && decode_want(rec.data, w))
      st.ledger->held_want(s->first, s->second, w);
  }
  run_round(self);  // an ask answered now, not at the next tick
}

}  // namespace sb
