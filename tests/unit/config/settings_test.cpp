#define CAF_SUITE settings
#include "config/settings.hpp"

#include <caf/test/unit_test.hpp>
#include <map>

#include "support/fake_env.hpp"

using namespace sb;
using sb::test::fake_env;

namespace {
std::variant<settings, std::string> parse(std::vector<std::string> args,
                                          std::map<std::string, std::string> env = {}) {
  std::vector<char*> argv{const_cast<char*>("switchboard")};
  for (auto& a : args) argv.push_back(a.data());
  return parse_settings(static_cast<int>(argv.size()), argv.data(), fake_env(std::move(env)));
}
}  // namespace

CAF_TEST(defaults) {
  auto r = parse({});
  CAF_REQUIRE(std::holds_alternative<settings>(r));
  auto& s = std::get<settings>(r);
  CAF_CHECK_EQUAL(s.port, 8080);
  CAF_CHECK_EQUAL(s.data_dir, "./data");
  CAF_CHECK(s.webui_auth);  // as in Open WebUI
  CAF_CHECK_EQUAL(s.accounts.token_lifetime.count(), 28 * 24 * 3600);
  CAF_CHECK_EQUAL(s.accounts.default_role, "pending");
  CAF_CHECK(s.accounts.enable_signup && s.accounts.enable_api_keys);
}

CAF_TEST(account settings read as open webui names them) {
  auto r = parse({}, {{"JWT_EXPIRES_IN", "1h30m"},
                      {"ENABLE_API_KEYS", "false"},
                      {"API_KEY_ALLOWED_ENDPOINTS", "/api/models, /openai/chat/completions,"},
                      {"ENABLE_API_KEY_ENDPOINT_RESTRICTIONS", "true"}});
  CAF_REQUIRE(std::holds_alternative<settings>(r));
  auto& a = std::get<settings>(r).accounts;
  CAF_CHECK_EQUAL(a.token_lifetime.count(), 5400);
  CAF_CHECK(!a.enable_api_keys);
  CAF_CHECK(a.key_endpoint_restrictions);
  CAF_CHECK_EQUAL(a.key_allowed_endpoints.size(), 2u);
  CAF_CHECK_EQUAL(std::get<settings>(parse({}, {{"JWT_EXPIRES_IN", "-1"}})).accounts.token_lifetime.count(), 0);
  CAF_CHECK(std::holds_alternative<std::string>(parse({}, {{"JWT_EXPIRES_IN", "soon"}})));
  CAF_CHECK(std::holds_alternative<std::string>(parse({}, {{"DEFAULT_USER_ROLE", "root"}})));
  CAF_CHECK(std::holds_alternative<std::string>(parse({}, {{"WEBUI_ADMIN_EMAIL", "a@b.c"}})));
}

CAF_TEST(flags override environment) {
  auto r = parse({"--port", "9000", "--data-dir=/tmp/x"}, {{"PORT", "7000"}, {"DATA_DIR", "/y"}});
  CAF_REQUIRE(std::holds_alternative<settings>(r));
  CAF_CHECK_EQUAL(std::get<settings>(r).port, 9000);
  CAF_CHECK_EQUAL(std::get<settings>(r).data_dir, "/tmp/x");
  auto e = parse({}, {{"PORT", "7000"}});
  CAF_CHECK_EQUAL(std::get<settings>(e).port, 7000);
}

CAF_TEST(bad values are rejected with a message) {
  for (auto& [args, env] :
       std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>>{
           {{"--port", "70000"}, {}},
           {{"--port", "abc"}, {}},
           {{}, {{"PORT", "-1"}}},
           {{"--bogus"}, {}},
           {{"--port"}, {}},
           {{}, {{"GLOBAL_LOG_LEVEL", "loud"}}},
           {{}, {{"AIOHTTP_CLIENT_TIMEOUT", "soon"}}}}) {
    auto r = parse(args, env);
    CAF_CHECK(std::holds_alternative<std::string>(r));
  }
}

CAF_TEST(models cache ttl sets the refresh unless the interval is given) {
  using std::chrono::milliseconds;
  CAF_CHECK_EQUAL(std::get<settings>(parse({}, {{"MODELS_CACHE_TTL", "30"}})).models_refresh.count(), 30000);
  CAF_CHECK_EQUAL(std::get<settings>(parse({}, {{"MODELS_CACHE_TTL", "0.2"}})).models_refresh.count(), 1000);
  CAF_CHECK_EQUAL(std::get<settings>(parse({}, {{"MODELS_CACHE_TTL", "soon"}})).models_refresh.count(), 10000);
  CAF_CHECK_EQUAL(std::get<settings>(parse({}, {{"MODELS_CACHE_TTL", "30"}, {"MODELS_REFRESH_INTERVAL", "2"}}))
                      .models_refresh.count(),
                  2000);
}

CAF_TEST(balancing and phase settings) {
  // 0 turns the stale-list limit and the totals off (it used to be refused).
  auto s = std::get<settings>(parse({}, {{"MODELS_STALE_TTL", "0"},
                                        {"UPSTREAM_TOTAL_TIMEOUT", "0"},
                                        {"AIOHTTP_CLIENT_TIMEOUT", "7"},
                                        {"LOAD_BALANCING_POLICY", "p2c"},
                                        {"LOAD_BALANCING_POLICY_BY_MODEL", R"({"m":"ewma"})"}}));
  CAF_CHECK_EQUAL(s.models_stale_ttl.count(), 0);
  CAF_CHECK_EQUAL(s.upstream_total_timeout.count(), 0);
  CAF_CHECK_EQUAL(s.upstream_first_byte_timeout.count(), 7000);  // AIOHTTP_CLIENT_TIMEOUT's
  CAF_CHECK_EQUAL(s.upstream_idle_timeout.count(), 7000);
  CAF_CHECK(s.balancing == lb_policy::p2c && s.balancing_by_model.at("m") == lb_policy::ewma);
  for (auto [name, value] : {std::pair{"LOAD_BALANCING_POLICY", "fastest"},
                             std::pair{"LOAD_BALANCING_POLICY_BY_MODEL", R"({"m":"x"})"},
                             std::pair{"UPSTREAM_IDLE_TIMEOUT", "0"},
                             std::pair{"RETRY_MAX_ATTEMPTS", "0"}})
    CAF_CHECK(std::holds_alternative<std::string>(parse({}, {{name, value}})));
}
