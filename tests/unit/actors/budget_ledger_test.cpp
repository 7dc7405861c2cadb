#define CAF_SUITE budget_ledger
#include <caf/test/unit_test.hpp>

#include <map>
#include <numeric>

#include "actors/budget_ledger.hpp"
#include "actors/cluster_replica.hpp"

using namespace sb;

namespace {

const lease_subject carol{budget_period::day, 20000, limit_scope::user, "carol/with:odd id"};

// One gateway incarnation: its ledger, its counters, and what it spent.
struct gateway {
  std::string node;
  budget_ledger ledger;
  std::shared_ptr<limit_counters> counters = std::make_shared<limit_counters>();
  std::uint64_t used = 0;  // what its requests spent (its counter also holds what it gave back)
  gateway(std::string n, std::uint64_t boot) : node(n), ledger(n, incarnation_name(n, boot)) {}
  std::uint64_t allowance() const {
    return limit_counters::budget_in(counters->allowance.load(), carol.index);
  }
  std::uint64_t spent() const { return used; }
  // Spends `n` tokens if its allowance lets it (what the admit stage does).
  bool spend(std::uint64_t n) {
    std::uint64_t left = 0;
    if (counters->reserve_budget(carol.index, n, allowance(), left)) {
      used += n;
      return true;
    }
    counters->starved_need.store(n);
    return false;
  }
};

struct sent {
  ledger_writes writes;
  std::string node, incarnation;
};

// Gateways that see each other's records at once (replication), and grants held by a majority
// as soon as they are written, unless `majority_holds` is false.
struct cluster_fixture {
  std::vector<std::unique_ptr<gateway>> gateways;
  std::uint64_t budget = 600;
  bool majority_holds = true;
  std::vector<sent> history;  // every write, in order

  // A gateway starting: it reads what the cluster holds (its store, then catching up).
  gateway& add(std::string node, std::uint64_t boot = 1) {
    gateways.push_back(std::make_unique<gateway>(node, boot));
    auto& g = *gateways.back();
    for (auto& h : history) take(g, h);
    return g;
  }
  static void take(gateway& g, const sent& h) {
    for (auto& [s, l] : h.writes.leases) g.ledger.held_lease(s, h.node, l);
    for (auto& [s, a] : h.writes.wants) g.ledger.held_want(s, h.incarnation, a);
  }
  cluster_view view(std::vector<std::string> up, std::size_t configured = 3) {
    std::sort(up.begin(), up.end());
    return {up, configured, true};
  }
  void deliver(const ledger_writes& w, const gateway& from) {
    history.push_back({w, from.node, from.ledger.incarnation()});
    for (auto& g : gateways) take(*g, history.back());
  }
  // One round of `g` as it sees the cluster (`v`), its writes delivered, then confirmed.
  void round_of(gateway& g, const cluster_view& v) {
    auto w = g.ledger.round({{carol, budget, g.counters}}, v, nullptr);
    deliver(w, g);
    if (w.leases.empty()) return;
    deliver(g.ledger.settled(w.leases, majority_holds, v), g);
  }
  void round(const std::vector<gateway*>& live, const cluster_view& v) {
    for (auto* g : live) round_of(*g, v);
  }
  std::uint64_t spent_by_all() const {
    return std::accumulate(gateways.begin(), gateways.end(), std::uint64_t{0},
                           [](std::uint64_t n, auto& g) { return n + g->spent(); });
  }
};

std::vector<gateway*> all(cluster_fixture& f) {
  std::vector<gateway*> out;
  for (auto& g : f.gateways) out.push_back(g.get());
  return out;
}

}  // namespace

CAF_TEST(the owner is one of the nodes up and the same whatever their order) {
  auto a = budget_owner(carol, {"n1", "n2", "n3"});
  CAF_CHECK(a == "n1" || a == "n2" || a == "n3");
  CAF_CHECK_EQUAL(budget_owner(carol, {"n3", "n1", "n2"}), a);
  std::vector<std::string> rest;
  for (auto n : {"n1", "n2", "n3"})
    if (n != a) rest.push_back(n);
  auto b = budget_owner(carol, rest);
  CAF_CHECK(b != a);
  std::map<std::string, int> owners;  // budgets spread over the nodes
  for (int i = 0; i < 300; ++i) {
    auto s = carol;
    s.id = "user-" + std::to_string(i);
    ++owners[budget_owner(s, {"n1", "n2", "n3"})];
  }
  for (auto& [node, n] : owners) CAF_CHECK_GREATER(n, 60);
}

CAF_TEST(lease records read back and their ids keep odd subject ids) {
  lease_grants l;
  l.budget = 600;
  l.base = 12;
  l.granted = {{"n1~ab", 100}, {"n2~cd", 50}};
  l.confirmed = {{"n1~ab", 100}};
  l.answered = {{"n2~cd", 3}};
  lease_grants back;
  CAF_REQUIRE(decode_lease(encode_lease(l), back));
  CAF_CHECK(back == l);
  auto named = lease_record_subject(lease_record_id(carol, "n2~cd"));
  CAF_REQUIRE(named);
  CAF_CHECK(named->first == carol);
  CAF_CHECK_EQUAL(named->second, "n2~cd");
  CAF_CHECK(!lease_record_subject("day/x/n1/user/carol"));
  CAF_CHECK(!lease_record_subject("day/1/n1/nobody/carol"));
  CAF_CHECK(!decode_lease(R"({"granted":{"n1":-5}})", back));
  record r{std::string(lease_kind), lease_record_id(carol, "n1"), {1, "n1"}, false,
           encode_lease(l)};
  CAF_CHECK_EQUAL(replica_fault(r, 1000), "");
  r.data = R"({"granted":[1]})";
  CAF_CHECK_NOT_EQUAL(replica_fault(r, 1000), "");
  CAF_CHECK_LESS(incarnation_name("n1", 0xff), incarnation_name("n1", 0x100));
}

CAF_TEST(counts only grow whatever order versions arrive in) {
  lease_grants newer, older;
  newer.granted = {{"a", 300}};
  newer.confirmed = {{"a", 300}};
  older.granted = {{"a", 100}, {"b", 50}};
  newer.absorb(older);
  CAF_CHECK_EQUAL(newer.granted["a"], 300u);
  CAF_CHECK_EQUAL(newer.granted["b"], 50u);
  lease_ask mine{3, 10, 40, 7, 5};
  mine.absorb(lease_ask{2, 99, 10, 99, 4});
  CAF_CHECK(mine == (lease_ask{3, 10, 40, 7, 5}));
}

CAF_TEST_FIXTURE_SCOPE(leasing, cluster_fixture)

CAF_TEST(nothing is spent before a majority holds the grant) {
  auto& n1 = add("n1");
  add("n2");
  add("n3");
  majority_holds = false;
  auto v = view({"n1", "n2", "n3"});
  for (int i = 0; i < 3; ++i) round(all(*this), v);
  for (auto& g : gateways) CAF_CHECK_EQUAL(g->allowance(), 0u);
  CAF_CHECK(!n1.spend(1));
  majority_holds = true;
  round(all(*this), v);
  round(all(*this), v);
  for (auto& g : gateways) CAF_CHECK_GREATER(g->allowance(), 0u);
}

CAF_TEST(spending everywhere never passes the budget and reaches it) {
  add("n1");
  add("n2");
  add("n3");
  auto v = view({"n1", "n2", "n3"});
  // Requests of 7 tokens arrive everywhere, more than the budget holds; rounds in between.
  for (int step = 0; step < 400; ++step) {
    for (auto& g : gateways) g->spend(7);
    round(all(*this), v);
  }
  CAF_CHECK_LESS_OR_EQUAL(spent_by_all(), budget);
  CAF_CHECK_GREATER_OR_EQUAL(spent_by_all(), budget - 3 * 7);  // what is left is crumbs
}

CAF_TEST(a budget spent on one gateway only takes back what the others hold) {
  auto& n1 = add("n1");
  add("n2");
  add("n3");
  auto v = view({"n1", "n2", "n3"});
  round(all(*this), v);
  round(all(*this), v);
  for (int step = 0; step < 600; ++step) {
    n1.spend(5);
    round(all(*this), v);
  }
  CAF_CHECK_LESS_OR_EQUAL(spent_by_all(), budget);
  CAF_CHECK_GREATER_OR_EQUAL(n1.spent(), budget - 3 * 5);
}

CAF_TEST(the owner dying loses what it held and never grants twice) {
  add("n1");
  add("n2");
  add("n3");
  auto v = view({"n1", "n2", "n3"});
  auto owner = budget_owner(carol, v.up);
  for (int step = 0; step < 20; ++step) {
    for (auto& g : gateways) g->spend(9);
    round(all(*this), v);
  }
  // The owner dies (with what it holds); the others go on, a new owner among them.
  std::vector<gateway*> live;
  std::vector<std::string> names;
  for (auto& g : gateways)
    if (g->node != owner) {
      live.push_back(g.get());
      names.push_back(g->node);
    }
  auto after = view(names);
  CAF_CHECK_NOT_EQUAL(budget_owner(carol, after.up), owner);
  for (int step = 0; step < 400; ++step) {
    for (auto* g : live) g->spend(9);
    round(live, after);
  }
  CAF_CHECK_LESS_OR_EQUAL(spent_by_all(), budget);
  // It comes back as a new incarnation: what its last life held is not spent again.
  auto& again = add(owner, 2);
  live.push_back(&again);
  for (int step = 0; step < 100; ++step) {
    for (auto* g : live) g->spend(9);
    round(live, v);
  }
  CAF_CHECK_LESS_OR_EQUAL(spent_by_all(), budget);
}

CAF_TEST(a node without a majority or not caught up grants nothing) {
  auto& n1 = add("n1");
  auto alone = view({"n1"});
  for (int i = 0; i < 3; ++i) round({&n1}, alone);
  CAF_CHECK_EQUAL(n1.allowance(), 0u);
  auto behind = view({"n1", "n2", "n3"});
  behind.synced = false;
  for (int i = 0; i < 3; ++i) round({&n1}, behind);
  CAF_CHECK_EQUAL(n1.allowance(), 0u);
}

CAF_TEST(a budget started again for a new rule does not spend its grants twice) {
  auto& n1 = add("n1");
  auto alone = view({"n1"}, 1);
  for (int step = 0; step < 300; ++step) {
    n1.spend(10);
    round({&n1}, alone);
  }
  CAF_CHECK_EQUAL(n1.spent(), budget);
  // The rule is edited (its budget taken away and set again): the limit table gives the same
  // counters a new epoch.
  n1.counters->budget_epoch = limit_counters::next_budget_epoch();
  for (int step = 0; step < 50; ++step) {
    n1.spend(10);
    round({&n1}, alone);
  }
  CAF_CHECK_EQUAL(n1.spent(), budget);
}

CAF_TEST(a budget lowered takes back what the gateways hold unspent) {
  add("n1");
  add("n2");
  add("n3");
  auto v = view({"n1", "n2", "n3"});
  round(all(*this), v);
  round(all(*this), v);
  for (auto& g : gateways) CAF_CHECK(g->spend(20));
  budget = 100;
  for (int step = 0; step < 200; ++step) {
    for (auto& g : gateways) g->spend(3);
    round(all(*this), v);
  }
  CAF_CHECK_LESS_OR_EQUAL(spent_by_all(), 100u);
  CAF_CHECK_GREATER_OR_EQUAL(spent_by_all(), 100u - 3 * 3);
}

CAF_TEST(a grant its keeper could not confirm is never confirmed by a later stint) {
  auto& n1 = add("n1");
  auto& n2 = add("n2");
  auto& n3 = add("n3");
  auto v = view({"n1", "n2", "n3"});
  auto keeper_name = budget_owner(carol, v.up);
  gateway* keeper = nullptr;
  std::vector<gateway*> others;
  for (auto* g : {&n1, &n2, &n3}) (g->node == keeper_name ? keeper : others.emplace_back(g)) = g;
  // The keeper, cut off, grants to itself but never reaches a majority; its grant reaches no one.
  majority_holds = false;
  auto w = keeper->ledger.round({{carol, budget, keeper->counters}}, v, nullptr);
  keeper->ledger.settled(w.leases, false, v);
  majority_holds = true;
  // The other two keep the budget meanwhile and grant all of it.
  std::vector<std::string> rest{others[0]->node, others[1]->node};
  auto without = view(rest);
  for (int step = 0; step < 300; ++step) {
    for (auto* g : others) g->spend(7);
    round(others, without);
  }
  // The keeper comes back (its gate saw the others go and come back), learns what they wrote,
  // and keeps the budget again: its own stale grant (written before, now delivered) must not
  // become spendable.
  keeper->ledger.membership(view({keeper->node}));
  keeper->ledger.membership(v);
  deliver(w, *keeper);
  for (int step = 0; step < 50; ++step) {
    for (auto& g : gateways) g->spend(7);
    round(all(*this), v);
  }
  CAF_CHECK_LESS_OR_EQUAL(spent_by_all(), budget);
}

CAF_TEST(asks of a node that is down or of an earlier boot get nothing) {
  auto& n1 = add("n1");
  auto& old = add("n2", 1);
  auto v = view({"n1", "n2", "n3"});
  round({&old}, v);  // n2's first life asks
  auto& now = add("n2", 2);
  round({&now}, v);  // its second life asks too
  add("n3");
  round({&n1}, view({"n1", "n2"}, 3));  // n3 is down: its ask (none yet) would not count
  for (int i = 0; i < 3; ++i) round({&n1, &now}, view({"n1", "n2"}, 3));
  CAF_CHECK_EQUAL(old.allowance(), 0u);
  CAF_CHECK_GREATER(now.allowance(), 0u);
  // n3's ask while it is down stays unanswered.
  auto& n3 = *gateways.back();
  round({&n3}, view({"n1", "n2", "n3"}));
  for (int i = 0; i < 3; ++i) round({&n1, &now}, view({"n1", "n2"}, 3));
  CAF_CHECK_EQUAL(n3.allowance(), 0u);
}

CAF_TEST(a refusal says exhausted only when no gateway holds enough of the budget) {
  auto& n1 = add("n1");
  auto& n2 = add("n2");
  add("n3");
  auto v = view({"n1", "n2", "n3"});
  auto elsewhere = [&] { return n1.counters->held_elsewhere.load(); };
  round(all(*this), v);
  round(all(*this), v);
  CAF_CHECK_EQUAL(elsewhere(), limit_counters::still_granting);
  // n1 spends until nothing is left to grant; n2 and n3 still hold their first grants.
  for (int step = 0; step < 200 && elsewhere() == limit_counters::still_granting; ++step) {
    n1.spend(5);
    round({&n1}, v);
  }
  CAF_CHECK_GREATER_OR_EQUAL(elsewhere(), n2.allowance());
  // Spent everywhere to the end: what is left anywhere is less than a request needs.
  for (int step = 0; step < 400; ++step) {
    for (auto& g : gateways) g->spend(5);
    round(all(*this), v);
  }
  round(all(*this), v);
  auto here = n1.allowance() - limit_counters::budget_in(n1.counters->budget.load(), carol.index);
  CAF_CHECK_LESS(here + elsewhere(), 5u);
  CAF_CHECK_GREATER_OR_EQUAL(spent_by_all(), budget - 3 * 5);
}

CAF_TEST_FIXTURE_SCOPE_END()
