#define CAF_SUITE pick
#include "http/balancing/pick.hpp"

#include <caf/test/unit_test.hpp>
#include <cmath>
#include <map>

#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "messages/catalog_snapshot.hpp"

using namespace sb;

namespace {

struct three_connections {
  runtime rt{settings{}};
  model_route route;
  three_connections(std::vector<std::uint32_t> weights, std::vector<std::int32_t> priorities) {
    for (int i = 0; i < static_cast<int>(weights.size()); ++i) {
      connection_spec spec;
      spec.key = {provider_kind::openai, i};
      spec.url = "http://127.0.0.1:" + std::to_string(9000 + i) + "/v1";
      std::string err;
      auto t = parse_upstream_url(spec.url, err);
      route.targets.push_back({std::make_shared<upstream_endpoint>(spec, *t, rt), "m",
                               weights[static_cast<std::size_t>(i)],
                               priorities[static_cast<std::size_t>(i)]});
    }
  }
  std::map<std::size_t, int> spread(lb_policy p, int n, candidate_set allowed = 0) {
    if (allowed == 0) allowed = (candidate_set{1} << route.targets.size()) - 1;
    std::map<std::size_t, int> got;
    for (int i = 0; i < n; ++i) ++got[pick_candidate(p, route, allowed)];
    return got;
  }
};

}  // namespace

CAF_TEST(round robin takes each in turn and priority the first) {
  three_connections c({1, 1, 1}, {0, 0, 0});
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::round_robin, c.route, 0b111), 0u);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::round_robin, c.route, 0b111), 1u);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::round_robin, c.route, 0b111), 2u);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::round_robin, c.route, 0b101), 2u);  // 3 % 2: second
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::priority, c.route, 0b110), 1u);
  // One candidate: whatever the policy.
  for (auto p : all_lb_policies) CAF_CHECK_EQUAL(pick_candidate(p, c.route, 0b100), 2u);
}

CAF_TEST(weighted follows the weights and never picks a weight of zero) {
  three_connections c({3, 1, 0}, {0, 0, 0});
  auto got = c.spread(lb_policy::weighted, 4000);
  CAF_CHECK_EQUAL(got[2], 0);
  CAF_CHECK(got[0] > 2700 && got[0] < 3300);
  // Every weight zero: drained alike, still served.
  three_connections z({0, 0, 0}, {0, 0, 0});
  CAF_CHECK_EQUAL(z.spread(lb_policy::weighted, 300).size(), 3u);
}

CAF_TEST(random covers every candidate and only those allowed) {
  three_connections c({1, 1, 1}, {0, 0, 0});
  auto got = c.spread(lb_policy::random, 3000, 0b011);
  CAF_CHECK_EQUAL(got.count(2), 0u);
  CAF_CHECK(got[0] > 1300 && got[1] > 1300);
}

CAF_TEST(latency aware policies prefer the measured fast one) {
  three_connections c({1, 1, 1}, {0, 0, 0});
  auto now = std::chrono::steady_clock::now();
  c.route.targets[0].endpoint->load_here().observe(now, 80'000);
  c.route.targets[1].endpoint->load_here().observe(now, 5'000);
  c.route.targets[2].endpoint->load_here().observe(now, 300'000);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::ewma, c.route, 0b111), 1u);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::least_cost, c.route, 0b111), 1u);
  auto got = c.spread(lb_policy::p2c, 300);
  CAF_CHECK_EQUAL(got.count(2), 0u);  // the slowest loses every pair it is in
  CAF_CHECK(got[1] > got[0]);
  // In flight counts: the fast one busy with 100 requests costs more than the 80 ms one.
  c.route.targets[1].endpoint->load_here().in_flight = 100;
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::least_connections, c.route, 0b011), 0u);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::p2c, c.route, 0b011), 0u);
  CAF_CHECK_EQUAL(pick_candidate(lb_policy::least_cost, c.route, 0b111), 0u);
}

CAF_TEST(least cost never picks one of two bad replicas in six while a good one is idle) {
  // p2c draws both bad ones together one time in fifteen, and then must pick a bad one.
  std::vector<std::uint32_t> weights(6, 1);
  std::vector<std::int32_t> tiers(6, 0);
  three_connections c(weights, tiers);
  auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < 6; ++i)
    c.route.targets[i].endpoint->load_here().observe(now, i < 4 ? 5'000 : 150'000);
  auto cost_picks = c.spread(lb_policy::least_cost, 600, 0b111111);
  CAF_CHECK_EQUAL(cost_picks.count(4) + cost_picks.count(5), 0u);
  auto p2c_picks = c.spread(lb_policy::p2c, 3000, 0b111111);
  CAF_CHECK(p2c_picks[4] + p2c_picks[5] > 0);
}

CAF_TEST(the best tier is the lowest priority value present) {
  three_connections c({1, 1, 1}, {2, 1, 1});
  CAF_CHECK_EQUAL(best_tier(c.route, 0b111), 0b110u);
  CAF_CHECK_EQUAL(best_tier(c.route, 0b001), 0b001u);
}

CAF_TEST(peak ewma jumps up at once and decays while unsampled) {
  connection_load l;
  auto t0 = std::chrono::steady_clock::now();
  l.observe(t0, 10'000);
  l.observe(t0, 90'000);
  CAF_CHECK_EQUAL(l.ewma_us.load(), 90'000.0);
  CAF_CHECK(l.ewma_at_time(t0 + std::chrono::seconds(10)) < 1'000.0);
  l.observe(t0 + std::chrono::milliseconds(1), 10'000);  // a fast sample soon after: barely moves
  CAF_CHECK(l.ewma_us.load() > 89'000.0);
}

CAF_TEST(the decay factor is exp of minus x) {
  for (double x : {0.0, 1e-9, 1e-4, 0.005, 0.0099, 0.01, 0.5, 3.0, 40.0})
    CAF_CHECK(std::abs(connection_load::decay(x) - std::exp(-x)) < 1e-7);
  CAF_CHECK_EQUAL(connection_load::decay(-1.0), 1.0);
}
