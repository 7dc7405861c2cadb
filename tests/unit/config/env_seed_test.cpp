#define CAF_SUITE env_seed
#include "config/env_seed.hpp"
#include "config/connection_spec.hpp"

#include <caf/test/unit_test.hpp>
#include <map>

#include "support/fake_env.hpp"

using namespace sb;
using sb::test::fake_env;

CAF_TEST(defaults match open webui) {
  auto r = seed_config_from_env(fake_env({}));
  CAF_REQUIRE(r.error.empty());
  CAF_CHECK(r.config.openai.enable);
  CAF_REQUIRE_EQUAL(r.config.openai.base_urls.size(), 1u);
  CAF_CHECK_EQUAL(r.config.openai.base_urls[0], "https://api.openai.com/v1");
  CAF_CHECK_EQUAL(r.config.openai.api_keys.size(), 1u);
  CAF_CHECK(r.config.ollama.enable);
  CAF_REQUIRE_EQUAL(r.config.ollama.base_urls.size(), 1u);
  CAF_CHECK_EQUAL(r.config.ollama.base_urls[0], "http://localhost:11434");
}

CAF_TEST(plural variables split on semicolons and keys pad to urls) {
  auto r = seed_config_from_env(fake_env({{"OPENAI_API_BASE_URLS", "http://a/v1; ;http://c/v1"},
                                          {"OPENAI_API_KEYS", "ka;kb"},
                                          {"OLLAMA_BASE_URLS", "http://o1:11434;http://o2:11434"},
                                          {"ENABLE_OLLAMA_API", "False"}}));
  CAF_REQUIRE(r.error.empty());
  CAF_REQUIRE_EQUAL(r.config.openai.base_urls.size(), 3u);
  CAF_CHECK_EQUAL(r.config.openai.base_urls[1], "https://api.openai.com/v1");
  CAF_REQUIRE_EQUAL(r.config.openai.api_keys.size(), 3u);
  CAF_CHECK_EQUAL(r.config.openai.api_keys[1].reveal(), "kb");
  CAF_CHECK(r.config.openai.api_keys[2].empty());
  CAF_CHECK(!r.config.ollama.enable);
  CAF_CHECK_EQUAL(r.config.ollama.base_urls.size(), 2u);
}

CAF_TEST(singular fallbacks and legacy ollama api url) {
  auto r = seed_config_from_env(fake_env({{"OPENAI_API_BASE_URL", "http://one/v1"},
                                          {"OPENAI_API_KEY", "k1"},
                                          {"OLLAMA_API_BASE_URL", "http://legacy:11434/api"}}));
  CAF_CHECK_EQUAL(r.config.openai.base_urls.at(0), "http://one/v1");
  CAF_CHECK_EQUAL(r.config.openai.api_keys.at(0).reveal(), "k1");
  CAF_CHECK_EQUAL(r.config.ollama.base_urls.at(0), "http://legacy:11434");
}

CAF_TEST(api configs must be a json object) {
  auto ok = seed_config_from_env(fake_env({{"OPENAI_API_CONFIGS", R"({"0":{"prefix_id":"p"}})"}}));
  CAF_CHECK(ok.error.empty());
  CAF_CHECK_NOT_EQUAL(ok.config.openai.api_configs_json.find("prefix_id"), std::string::npos);
  auto bad = seed_config_from_env(fake_env({{"OPENAI_API_CONFIGS", "[1,2]"}}));
  CAF_CHECK(!bad.error.empty());
}

CAF_TEST(tool server connections become openai connections that run their own filters) {
  auto r = seed_config_from_env(fake_env(
      {{"OPENAI_API_BASE_URLS", "http://a/v1"},
       {"OPENAI_API_CONFIGS", R"({"1": {"prefix_id": "p"}})"},
       {"TOOL_SERVER_CONNECTIONS",
        R"([{"url": "http://p:9099", "api_key": "k1"}, {"url": "http://t:8000", "key": "k2"}])"}}));
  CAF_REQUIRE(r.error.empty());
  auto& oa = r.config.openai;
  CAF_REQUIRE_EQUAL(oa.base_urls.size(), 3u);
  CAF_CHECK_EQUAL(oa.base_urls[1], "http://p:9099");
  CAF_CHECK_EQUAL(oa.api_keys[2].reveal(), "k2");
  auto specs = connection_specs(r.config);
  CAF_CHECK(!specs[0].server_filters);
  CAF_CHECK(specs[1].server_filters && specs[2].server_filters);
  CAF_CHECK_EQUAL(specs[1].prefix_id, "p");  // a config already there for that index is kept
  for (auto bad : {"{}", "[1]", R"([{"api_key": "k"}])", "not json"})
    CAF_CHECK(!seed_config_from_env(fake_env({{"TOOL_SERVER_CONNECTIONS", bad}})).error.empty());
}
