#define CAF_SUITE connection_spec
#include "config/connection_spec.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

CAF_TEST(per index configs and the url fallback key) {
  gateway_config cfg;
  cfg.openai.base_urls = {"http://a/v1/", "http://b/v1"};
  cfg.openai.api_keys = {secret_string("ka"), secret_string("kb")};
  cfg.openai.api_configs_json =
      R"({"0":{"prefix_id":"pa","model_ids":["m1"],"tags":[{"name":"t"}],"headers":{"X-H":"v"}},)"
      R"("http://b/v1":{"enable":false}})";
  cfg.ollama.base_urls = {"http://o:11434"};
  cfg.ollama.api_configs_json = R"({"0":{"key":"ok","prefix_id":"po"}})";
  auto specs = connection_specs(cfg);
  CAF_REQUIRE_EQUAL(specs.size(), 3u);
  CAF_CHECK_EQUAL(specs[0].url, "http://a/v1");
  CAF_CHECK_EQUAL(specs[0].prefix_id, "pa");
  CAF_CHECK_EQUAL(specs[0].model_ids.size(), 1u);
  CAF_CHECK_EQUAL(specs[0].headers.size(), 1u);
  CAF_CHECK(!specs[0].tags_json.empty());
  CAF_CHECK(specs[0].enable);
  CAF_CHECK(!specs[1].enable);
  CAF_CHECK_EQUAL(specs[1].api_key.reveal(), "kb");
  CAF_CHECK(specs[2].key.kind == provider_kind::ollama);
  CAF_CHECK_EQUAL(specs[2].api_key.reveal(), "ok");
  CAF_CHECK_EQUAL(specs[2].connection_type, "local");
}

CAF_TEST(family switch disables every connection) {
  gateway_config cfg;
  cfg.openai.enable = false;
  cfg.openai.base_urls = {"http://a/v1"};
  auto specs = connection_specs(cfg);
  CAF_REQUIRE_EQUAL(specs.size(), 1u);
  CAF_CHECK(!specs[0].enable);
}
