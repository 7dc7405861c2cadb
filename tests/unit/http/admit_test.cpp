#define CAF_SUITE admit
#include "http/api/stages/admit.hpp"

#include <caf/test/unit_test.hpp>

#include "actors/limit_table.hpp"
#include "config/limit_rules.hpp"

using namespace sb;

namespace {

constexpr std::int64_t noon = 1'765'108'800;  // 2025-12-07T12:00:00Z, a Sunday

limit_rule rule(limit_scope scope, std::string id) {
  limit_rule r;
  r.scope = scope;
  r.id = std::move(id);
  return r;
}

accounts_snapshot accounts_with(std::vector<std::string> users,
                                std::vector<std::pair<std::string, std::vector<std::string>>> groups = {}) {
  accounts_snapshot a;
  for (auto& id : users) {
    auto u = std::make_shared<user_account>();
    u->id = id;
    a.users[id] = u;
  }
  for (auto& [gid, members] : groups) {
    group_account g;
    g.id = gid;
    g.name = gid + "-name";
    g.member_ids = members;
    a.groups[gid] = g;
  }
  a.index_memberships();
  return a;
}

std::shared_ptr<const limits_snapshot> table(const std::vector<limit_rule>& rules,
                                             const accounts_snapshot& a,
                                             const limits_snapshot& before = {},
                                             spent_reader spent = nullptr) {
  return std::make_shared<const limits_snapshot>(build_limit_table(rules, a, before, spent, noon));
}

admission_request ask(std::string_view user, std::int64_t max_output = 20,
                      std::string_view model = "m") {
  admission_request r;
  r.user_id = user;
  r.model = model;
  r.input_bytes = 40;  // 10 tokens
  r.max_output = max_output;
  r.now_s = noon;
  return r;
}

std::uint64_t budget_spent(const limits_snapshot& t, const std::string& user) {
  return t.users.at(user).counters->budget.load() & limit_counters::budget_mask;
}

}  // namespace

CAF_TEST(requests per minute are counted to the limit and the refusal says when it resets) {
  auto fallback = rule(limit_scope::fallback, "*");
  fallback.rpm = 2;
  auto t = table({fallback}, accounts_with({"u"}));
  admission a1, a2, a3;
  CAF_CHECK(!admit_request(t, ask("u"), a1));
  CAF_CHECK(!admit_request(t, ask("u"), a2));
  auto refused = admit_request(t, ask("u"), a3);
  CAF_REQUIRE(refused);
  CAF_CHECK(refused->kind == limit_kind::rpm);
  CAF_CHECK_EQUAL(refused->retry_after_s, 60);
  CAF_CHECK_EQUAL(refused->whose, 0u);
  CAF_CHECK(refused->message.find("the default for every user") != std::string::npos);
  // Users the table has not seen yet (signed up a moment ago) share the default's counters until
  // the next rebuild: limited all the same, never unlimited.
  admission a4, a5, a6;
  CAF_CHECK(!admit_request(t, ask("new1"), a4));
  CAF_CHECK(!admit_request(t, ask("new2"), a5));
  CAF_CHECK(admit_request(t, ask("new1"), a6).has_value());
}

CAF_TEST(a refusal leaves nothing counted and a settle replaces the reservation) {
  auto own = rule(limit_scope::user, "u");
  own.rpm = 5;
  own.budget_tokens = 100;
  auto t = table({own}, accounts_with({"u"}));
  {
    admission a;
    auto refused = admit_request(t, ask("u", 200), a);  // 210 > 100
    CAF_REQUIRE(refused);
    CAF_CHECK(refused->kind == limit_kind::budget);
    CAF_CHECK_EQUAL(t->users.at("u").counters->requests.load() & 0xffffffffu, 0u);
  }
  admission a;
  CAF_REQUIRE(!admit_request(t, ask("u"), a));
  CAF_CHECK_EQUAL(budget_spent(*t, "u"), 30u);
  a.settle(8);
  CAF_CHECK_EQUAL(budget_spent(*t, "u"), 8u);
  {
    admission unknown;
    CAF_REQUIRE(!admit_request(t, ask("u"), unknown));
  }  // ends unsettled: its reservation stays spent
  CAF_CHECK_EQUAL(budget_spent(*t, "u"), 38u);
}

CAF_TEST(the user rule wins over the tightest group which wins over the default) {
  auto fallback = rule(limit_scope::fallback, "*");
  fallback.rpm = 100;
  fallback.budget_tokens = 1000;
  auto wide = rule(limit_scope::group, "g1");
  wide.rpm = 50;
  auto tight = rule(limit_scope::group, "g2");
  tight.rpm = 10;
  tight.budget_tokens = 500;
  tight.period = budget_period::day;
  auto own = rule(limit_scope::user, "vip");
  own.rpm = 1000;
  auto t = table({fallback, wide, tight, own},
                 accounts_with({"a", "b", "vip"}, {{"g1", {"a", "vip"}}, {"g2", {"a", "vip"}}}));
  CAF_CHECK_EQUAL(*t->users.at("a").rpm, 10u);
  CAF_CHECK_EQUAL(*t->users.at("a").budget_tokens, 500u);
  CAF_CHECK(t->users.at("a").period == budget_period::day);
  CAF_CHECK_EQUAL(t->users.at("a").source[0], "set for group 'g2-name'");
  CAF_CHECK_EQUAL(*t->users.at("b").rpm, 100u);
  CAF_CHECK_EQUAL(*t->users.at("vip").rpm, 1000u);
  CAF_CHECK_EQUAL(*t->users.at("vip").budget_tokens, 500u);
}

CAF_TEST(counters outlive a rebuild and a new budget starts from what was spent) {
  auto own = rule(limit_scope::user, "u");
  own.budget_tokens = 100;
  auto a = accounts_with({"u", "v"});
  auto first = table({own}, a, {}, [](limit_scope, const std::string& id, std::int64_t since) {
    CAF_CHECK_EQUAL(since, period_start(budget_period::month, period_index(budget_period::month, noon)));
    return id == "u" ? 60 : 0;
  });
  CAF_CHECK_EQUAL(budget_spent(*first, "u"), 60u);
  own.rpm = 3;  // another limit changes: the budget's count stays
  auto second = table({own}, a, *first, [](auto...) { return 0; });
  CAF_CHECK_EQUAL(budget_spent(*second, "u"), 60u);
  CAF_CHECK(second->users.at("u").counters == first->users.at("u").counters);
}

CAF_TEST(a free model counts no budget and a new period starts from zero) {
  auto own = rule(limit_scope::user, "u");
  own.budget_tokens = 40;
  own.period = budget_period::day;
  auto free_model = rule(limit_scope::model, "local");
  free_model.free = true;
  auto t = table({own, free_model}, accounts_with({"u"}));
  admission a, b, c;
  CAF_REQUIRE(!admit_request(t, ask("u"), a));  // 30 of 40
  CAF_CHECK(admit_request(t, ask("u"), b).has_value());
  CAF_CHECK(!admit_request(t, ask("u", 20, "local"), c));
  auto tomorrow = ask("u");
  tomorrow.now_s = noon + 86'400;
  admission d;
  CAF_CHECK(!admit_request(t, tomorrow, d));
}

CAF_TEST(periods follow the calendar) {
  // 2025-12-07 is a Sunday: its ISO week began on Monday 2025-12-01.
  CAF_CHECK_EQUAL(period_start(budget_period::week, period_index(budget_period::week, noon)),
                  1'764'547'200);
  CAF_CHECK_EQUAL(period_start(budget_period::month, period_index(budget_period::month, noon)),
                  1'764'547'200);
  CAF_CHECK_EQUAL(period_end(budget_period::month, period_index(budget_period::month, noon)),
                  1'767'225'600);  // 2026-01-01
  CAF_CHECK_EQUAL(period_end(budget_period::day, period_index(budget_period::day, noon)),
                  noon + 12 * 3600);
}

CAF_TEST(tokens per minute settle to what was used) {
  auto key = rule(limit_scope::key, "k");
  key.tpm = 100;
  auto t = table({key}, accounts_with({"u"}));
  int passed = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = ask("u", 5);
    r.key_id = "k";
    admission a;
    if (admit_request(t, r, a)) break;
    ++passed;
    a.settle(8);
  }
  CAF_CHECK_EQUAL(passed, 11);  // 15 reserved, 8 used: 8 * 10 + 15 fits, 8 * 11 + 15 does not
}
