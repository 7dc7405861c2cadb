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

std::string budget_owner(std::string_view key, const std::vector<std::string>& up) {
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

std::string incarnation_name(const std::string& node, std::uint64_t boot) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = node + "~";
  for (int shift = 60; shift >= 0; shift -= 4) out += digits[(boot >> shift) & 0xf];
  return out;
}

namespace {

std::string_view node_of(std::string_view incarnation) {
  return incarnation.substr(0, incarnation.find('~'));
}

std::string_view boot_of(std::string_view incarnation) {
  auto tilde = incarnation.find('~');
  return tilde == std::string_view::npos ? std::string_view{} : incarnation.substr(tilde + 1);
}

}  // namespace

void budget_ledger::held_lease(const lease_subject& s, const std::string& keeper,
                               const lease_grants& l) {
  auto& e = entries_[s.key()];
  e.subject = s;
  e.leases[keeper].absorb(l);
}

void budget_ledger::held_want(const lease_subject& s, const std::string& incarnation,
                              const lease_ask& w) {
  auto& e = entries_[s.key()];
  e.subject = s;
  e.wants[incarnation].absorb(w);
}

std::uint64_t budget_ledger::confirmed_to(const entry& e, const std::string& incarnation) const {
  std::uint64_t n = 0;
  for (auto& [keeper, l] : e.leases) n += count_of(l.confirmed, incarnation);
  return n;
}

std::uint64_t budget_ledger::answered_for(const entry& e, const std::string& incarnation) const {
  std::uint64_t n = 0;
  for (auto& [keeper, l] : e.leases) n = std::max(n, count_of(l.answered, incarnation));
  return n;
}

// The budget less what was spent before the first lease and what every incarnation was granted
// by any keeper and did not give back.
std::uint64_t budget_ledger::unallocated(const entry& e, std::uint64_t budget) const {
  std::uint64_t base = 0;
  std::map<std::string, std::uint64_t> granted;
  for (auto& [keeper, l] : e.leases) {
    base = std::max(base, l.base);
    for (auto& [who, n] : l.granted) granted[who] += n;
  }
  std::uint64_t out = budget > base ? budget - base : 0;
  for (auto& [who, n] : granted) {
    auto it = e.wants.find(who);
    auto holds = n - (it == e.wants.end() ? 0 : std::min(it->second.released, n));
    out = out > holds ? out - holds : 0;
  }
  return out;
}

// An incarnation that may still spend or ask: its node is up, and this is its latest boot.
bool budget_ledger::live(const entry& e, const std::string& incarnation,
                         const cluster_view& view) const {
  auto node = node_of(incarnation);
  if (!std::binary_search(view.up.begin(), view.up.end(), node, std::less<>{})) return false;
  auto boot = boot_of(incarnation);
  for (auto& [other, w] : e.wants)
    if (node_of(other) == node && boot_of(other) > boot) return false;
  return true;
}

bool budget_ledger::others_waiting(const entry& e, const cluster_view& view,
                                   bool ranked_before_only) const {
  for (auto& [who, w] : e.wants) {
    if (who == incarnation_ || (ranked_before_only && who > incarnation_)) continue;
    if (w.asks > answered_for(e, who) && live(e, who, view)) return true;
  }
  return false;
}

std::uint64_t budget_ledger::others_holding(const entry& e, const cluster_view& view) const {
  std::uint64_t n = 0;
  for (auto& [who, w] : e.wants)
    if (who != incarnation_ && live(e, who, view)) n += w.holding;
  return n;
}

// What this incarnation may spend (published in the counters), `spent` counted so far; true in
// `granted_now` when a grant came since the last round.
std::uint64_t budget_ledger::set_allowance(const leased_budget& b, entry& e, std::uint64_t spent,
                                           bool& granted_now) {
  auto& c = *b.counters;
  auto confirmed = confirmed_to(e, incarnation_);
  if (e.paired_epoch != c.budget_epoch) {  // a new rule: what was confirmed before is spent
    e.paired_epoch = c.budget_epoch;
    e.base = confirmed;
    e.spent_base = spent;
  }
  granted_now = confirmed > e.confirmed_seen;
  if (granted_now) {
    e.last_grant = confirmed - e.confirmed_seen;
    e.confirmed_seen = confirmed;
  }
  auto allowance = e.spent_base + confirmed - std::min(confirmed, e.base);
  c.allowance.store(limit_counters::budget_word(b.subject.index, allowance),
                    std::memory_order_relaxed);
  return allowance;
}

// This gateway's side: its allowance, an ask when it runs low, half of what it holds given back
// when nothing is left to grant and another gateway waits, and what it holds told when that
// changes what a refusal says.
void budget_ledger::spend_as_gateway(const leased_budget& b, entry& e, const cluster_view& view,
                                     ledger_writes& out) {
  auto& c = *b.counters;
  auto period = b.subject.index;
  auto spent = limit_counters::budget_in(c.budget.load(std::memory_order_relaxed), period);
  bool granted_now = false;
  auto allowance = set_allowance(b, e, spent, granted_now);
  bool dry = !e.leases.empty() && unallocated(e, b.budget) == 0;
  c.held_elsewhere.store(dry ? others_holding(e, view) : limit_counters::still_granting,
                         std::memory_order_relaxed);
  auto remaining = allowance > spent ? allowance - spent : 0;
  auto starving = c.starved_need.exchange(0, std::memory_order_relaxed);
  auto& mine = e.wants[incarnation_];
  bool lowered = b.budget < e.budget_seen;  // all it holds goes back: the rule wants less
  e.budget_seen = b.budget;
  auto write = [&] {
    mine.holding = remaining;
    ++mine.writes;
    e.want_unsaved = false;
    out.wants.emplace_back(b.subject, mine);
  };
  bool outstanding = mine.asks > answered_for(e, incarnation_);
  bool low = mine.asks == 0 || starving > remaining ||
             (e.last_grant > 0 ? remaining * 2 < e.last_grant : remaining == 0);
  // With nothing left to grant, only a request refused here asks: the others see it wait and
  // give back what they hold.
  if (!outstanding && low && (!dry || starving > remaining)) {
    ++mine.asks;
    mine.need = starving > remaining ? starving - remaining : 0;
    return write();
  }
  // A gateway in want itself gives only to those ranked before it (two in want could hand
  // halves back and forth for good): the crumbs flow to the first.
  bool asked_of = dry && others_waiting(e, view, outstanding || starving > 0);
  std::uint64_t left = 0;
  auto give = lowered ? remaining : (remaining + 1) / 2;
  if ((lowered || asked_of) && remaining > 0 &&
      c.reserve_budget(period, give, allowance, left)) {
    mine.released += give;
    remaining -= give;
    return write();
  }
  // Its first round tells the others this incarnation is the node's live one.
  if (mine.writes == 0 || granted_now || e.want_unsaved ||
      (asked_of && remaining == 0 && mine.holding != 0))
    write();
}

// The keeper's side: its record begun, asks answered with chunks of what is left, and its grants
// of this stint sent to wait for a majority.
void budget_ledger::keep(const leased_budget& b, entry& e, const cluster_view& view,
                         const std::function<std::uint64_t(const lease_subject&)>& spent_before,
                         ledger_writes& out) {
  if (e.awaiting) return;
  if (e.stint == 0) e.stint = ++stints_;
  bool changed = false;
  auto it = e.leases.find(node_);
  if (it == e.leases.end()) {
    lease_grants fresh;
    for (auto& [keeper, l] : e.leases) fresh.base = std::max(fresh.base, l.base);
    if (e.leases.empty() && spent_before) fresh.base = spent_before(b.subject);
    it = e.leases.emplace(node_, std::move(fresh)).first;
    changed = true;
  }
  auto& mine = it->second;
  if (mine.budget != b.budget) {
    mine.budget = b.budget;
    changed = true;
  }
  auto members = std::max<std::uint64_t>(view.up.size(), 1);
  for (auto& [who, w] : e.wants) {
    if (w.asks <= answered_for(e, who) || !live(e, who, view)) continue;
    auto left = unallocated(e, b.budget);
    if (left == 0) break;  // unanswered: the others see it wait and give back
    auto grant = std::min(left, std::max(w.need, (left + 2 * members - 1) / (2 * members)));
    mine.granted[who] += grant;
    mine.answered[who] = w.asks;
    e.pending[who] += grant;
    changed = true;
  }
  if (!changed && e.pending.empty() && !e.lease_unsaved) return;
  e.lease_unsaved = false;
  e.awaiting = true;
  e.in_flight = e.pending;
  e.in_flight_stint = e.stint;
  out.leases.emplace_back(b.subject, mine);
}

void budget_ledger::membership(const cluster_view& view) {
  if (view.up == last_up_) return;
  last_up_ = view.up;
  for (auto& [key, e] : entries_) {  // every keeping ends: what it did not confirm is lost
    e.stint = 0;
    e.pending.clear();
  }
}

ledger_writes budget_ledger::round(
    const std::vector<leased_budget>& budgets, const cluster_view& view,
    const std::function<std::uint64_t(const lease_subject&)>& spent_before) {
  ledger_writes out;
  membership(view);
  bool may_keep = view.synced && view.majority();
  for (auto& b : budgets) {
    auto& e = entries_[b.key];
    e.subject = b.subject;
    spend_as_gateway(b, e, view, out);
    if (may_keep && budget_owner(b.key, view.up) == node_) {
      keep(b, e, view, spent_before, out);
    } else {  // not keeping it (now): what this node granted and did not confirm is lost
      e.stint = 0;
      e.pending.clear();
    }
  }
  return out;
}

ledger_writes budget_ledger::settled(
    const std::vector<std::pair<lease_subject, lease_grants>>& written, bool held,
    const cluster_view& view) {
  ledger_writes out;
  for (auto& [s, l] : written) {
    auto it = entries_.find(s.key());
    if (it == entries_.end()) continue;  // a past period, forgotten
    auto& e = it->second;
    e.awaiting = false;
    bool same_stint = e.stint != 0 && e.stint == e.in_flight_stint &&
                      view.synced && view.majority() && budget_owner(s, view.up) == node_;
    if (!held || !same_stint) continue;  // not held: sent again next round
    auto& mine = e.leases[node_];
    for (auto& [who, n] : e.in_flight) {
      mine.confirmed[who] += n;
      auto& p = e.pending[who];
      p -= std::min(p, n);
      if (p == 0) e.pending.erase(who);
    }
    e.in_flight.clear();
    out.leases.emplace_back(s, mine);
  }
  return out;
}

void budget_ledger::unsaved(const ledger_writes& w, const cluster_view& view) {
  for (auto& [s, a] : w.wants)
    if (auto it = entries_.find(s.key()); it != entries_.end()) it->second.want_unsaved = true;
  for (auto& [s, l] : w.leases)
    if (auto it = entries_.find(s.key()); it != entries_.end()) it->second.lease_unsaved = true;
  settled(w.leases, false, view);
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
