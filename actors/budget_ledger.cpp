#include "actors/budget_ledger.hpp"

#include <algorithm>

namespace sb {

namespace {

// FNV-1a, then splitmix64's finaliser so that names differing in one letter rank apart. The
// same on every node and build (std::hash is neither promised).
std::uint64_t rank(std::string_view node, std::string_view key) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](std::string_view text) {
    for (unsigned char c : text) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(node);
  mix(std::string_view("\n", 1));
  mix(key);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

std::uint64_t count_of(const std::map<std::string, std::uint64_t>& m, const std::string& who) {
  auto it = m.find(who);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

std::string budget_owner(const lease_subject& s, const std::vector<std::string>& up) {
  auto key = s.key();
  const std::string* best = nullptr;
  std::uint64_t best_rank = 0;
  for (auto& node : up) {
    auto r = rank(node, key);
    if (!best || r > best_rank || (r == best_rank && node < *best)) {
      best = &node;
      best_rank = r;
    }
  }
  return best ? *best : std::string{};
}

void budget_ledger::held(const lease_subject& s, const lease_grants& l) {
  auto& e = entries_[s.key()];
  e.subject = s;
  e.lease.absorb(l, true);
  e.has_lease = true;
}

void budget_ledger::held(const lease_subject& s, const std::string& incarnation,
                         const lease_ask& w) {
  auto& e = entries_[s.key()];
  e.subject = s;
  e.wants[incarnation].absorb(w);
}

// The budget less what was spent before the lease and what every incarnation holds (granted and
// not given back).
std::uint64_t budget_ledger::unallocated(const entry& e) const {
  std::uint64_t out = e.lease.budget > e.lease.base ? e.lease.budget - e.lease.base : 0;
  for (auto& [who, granted] : e.lease.granted) {
    auto it = e.wants.find(who);
    auto back = it == e.wants.end() ? 0 : std::min(it->second.released, granted);
    auto holds = granted - back;
    out = out > holds ? out - holds : 0;
  }
  return out;
}

bool budget_ledger::others_waiting(const entry& e) const {
  for (auto& [who, w] : e.wants)
    if (who != incarnation_ && w.asks > count_of(e.lease.answered, who)) return true;
  return false;
}

// This gateway's side: its allowance, an ask when it runs low, half of what it holds given back
// when the owner has nothing left and another gateway waits.
void budget_ledger::spend_as_gateway(const leased_budget& b, entry& e, ledger_writes& out) {
  auto& c = *b.counters;
  auto confirmed = count_of(e.lease.confirmed, incarnation_);
  if (e.paired != &c) {  // new counters start from zero: what came before is spent
    e.paired = &c;
    e.base = confirmed;
  }
  if (confirmed > e.confirmed_seen) {
    e.last_grant = confirmed - e.confirmed_seen;
    e.confirmed_seen = confirmed;
  }
  auto allowance = confirmed - std::min(confirmed, e.base);
  auto period = b.subject.index;
  c.allowance.store(limit_counters::budget_word(period, allowance), std::memory_order_relaxed);
  bool dry = e.has_lease && unallocated(e) == 0;
  c.pool_dry.store(dry, std::memory_order_relaxed);
  auto spent = limit_counters::budget_in(c.budget.load(std::memory_order_relaxed), period);
  auto remaining = allowance > spent ? allowance - spent : 0;
  auto starving = c.starved_need.exchange(0, std::memory_order_relaxed);
  auto& mine = e.wants[incarnation_];
  bool outstanding = mine.asks > count_of(e.lease.answered, incarnation_);
  bool low = mine.asks == 0 || starving > remaining ||
             (e.last_grant > 0 ? remaining * 2 < e.last_grant : remaining == 0);
  // With nothing left to grant, only a request refused here asks: the others see it wait and
  // give back what they hold.
  if (!outstanding && low && (!dry || starving > remaining)) {
    ++mine.asks;
    mine.need = starving > remaining ? starving - remaining : 0;
    out.wants.emplace_back(b.subject, mine);
    return;
  }
  if (!dry || starving || remaining == 0 || !others_waiting(e)) return;
  auto give = (remaining + 1) / 2;
  std::uint64_t left = 0;
  if (!c.reserve_budget(period, give, allowance, left)) return;  // spent meanwhile
  mine.released += give;
  out.wants.emplace_back(b.subject, mine);
}

// The owner's side: a lease begun, asks answered with chunks of what is left, and grants not
// yet held by a majority (a previous owner's too) written again to be.
void budget_ledger::grant_as_owner(
    const leased_budget& b, entry& e, std::size_t members,
    const std::function<std::uint64_t(const lease_subject&)>& spent_before, ledger_writes& out) {
  if (e.awaiting_majority) return;
  bool changed = false;
  if (!e.has_lease) {
    e.has_lease = true;
    e.lease.base = spent_before ? spent_before(b.subject) : 0;
    e.lease.budget = b.budget;
    changed = true;
  }
  if (e.lease.budget != b.budget) {
    e.lease.budget = b.budget;
    changed = true;
  }
  for (auto& [who, w] : e.wants) {
    auto& answered = e.lease.answered[who];
    if (w.asks <= answered) continue;
    auto left = unallocated(e);
    if (left == 0) break;  // unanswered: the others see it wait and give back
    auto chunk = std::max(w.need, (left + 2 * members - 1) / (2 * members));
    e.lease.granted[who] += std::min(left, chunk);
    answered = w.asks;
    changed = true;
  }
  bool unconfirmed = false;
  for (auto& [who, granted] : e.lease.granted)
    unconfirmed = unconfirmed || granted > count_of(e.lease.confirmed, who);
  if (!changed && !unconfirmed) return;
  e.awaiting_majority = true;
  out.leases.emplace_back(b.subject, e.lease);
}

ledger_writes budget_ledger::round(
    const std::vector<leased_budget>& budgets, const cluster_view& view,
    const std::function<std::uint64_t(const lease_subject&)>& spent_before) {
  ledger_writes out;
  bool may_grant = view.synced && view.majority();
  for (auto& b : budgets) {
    auto& e = entries_[b.subject.key()];
    e.subject = b.subject;
    spend_as_gateway(b, e, out);
    if (may_grant && budget_owner(b.subject, view.up) == node_)
      grant_as_owner(b, e, std::max<std::size_t>(view.up.size(), 1), spent_before, out);
  }
  return out;
}

ledger_writes budget_ledger::settled(
    const std::vector<std::pair<lease_subject, lease_grants>>& written, bool held,
    const cluster_view& view) {
  ledger_writes out;
  for (auto& [s, l] : written) {
    auto& e = entries_[s.key()];
    e.awaiting_majority = false;
    // A node that no longer owns the budget leaves the confirming to the new owner, which
    // writes every grant it holds again.
    if (!held || budget_owner(s, view.up) != node_) continue;
    bool changed = false;
    for (auto& [who, granted] : l.granted) {
      auto& confirmed = e.lease.confirmed[who];
      if (granted > confirmed) {
        confirmed = granted;
        changed = true;
      }
    }
    if (changed) out.leases.emplace_back(s, e.lease);
  }
  return out;
}

void budget_ledger::forget_before(const std::vector<leased_budget>& budgets) {
  std::map<budget_period, std::uint64_t> current;
  for (auto& b : budgets) {
    auto& at = current[b.subject.period];
    at = std::max(at, b.subject.index);
  }
  std::erase_if(entries_, [&](auto& kv) {
    auto it = current.find(kv.second.subject.period);
    return it != current.end() && kv.second.subject.index < it->second;
  });
}

}  // namespace sb
