#define CAF_SUITE config_json
#include "http/config_json.hpp"

#include <caf/test/unit_test.hpp>

#include "http/upstream_endpoint.hpp"

using namespace sb;

namespace {
provider_config current() {
  provider_config p;
  p.base_urls = {"http://a/v1", "http://b/v1"};
  p.api_keys = {secret_string("sk-aaaaaaaa1111"), secret_string("sk-bbbbbbbb2222")};
  return p;
}
}  // namespace

CAF_TEST(keys are masked on the way out) {
  auto text = render_openai_config(current());
  CAF_CHECK_EQUAL(text.find("sk-aaaaaaaa1111"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("****1111"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("\"ENABLE_OPENAI_API\":true"), std::string::npos);
}

CAF_TEST(a mask echoed back keeps the stored key even when moved) {
  std::string err;
  auto next = parse_openai_config_update(
      R"({"OPENAI_API_BASE_URLS":["http://b/v1","http://c/v1","http://a/v1"],)"
      R"("OPENAI_API_KEYS":["****2222","sk-new","****1111"],"OPENAI_API_CONFIGS":{"0":{"prefix_id":"x"},"7":{}}})",
      current(), err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->api_keys.at(0).reveal(), "sk-bbbbbbbb2222");
  CAF_CHECK_EQUAL(next->api_keys.at(1).reveal(), "sk-new");
  CAF_CHECK_EQUAL(next->api_keys.at(2).reveal(), "sk-aaaaaaaa1111");
  CAF_CHECK_EQUAL(next->api_configs_json, R"({"0":{"prefix_id":"x"}})");
  CAF_CHECK(next->enable);
}

CAF_TEST(keys pad and truncate to the url count) {
  std::string err;
  auto next = parse_openai_config_update(
      R"({"OPENAI_API_BASE_URLS":["http://a/v1"],"OPENAI_API_KEYS":["k1","k2"]})", current(), err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->api_keys.size(), 1u);
  auto padded = parse_openai_config_update(
      R"({"OPENAI_API_BASE_URLS":["http://a/v1","http://b/v1"]})", current(), err);
  CAF_REQUIRE(padded.has_value());
  CAF_CHECK_EQUAL(padded->api_keys.size(), 2u);
}

CAF_TEST(bad forms are rejected) {
  std::string err;
  CAF_CHECK(!parse_openai_config_update("nope", current(), err));
  CAF_CHECK(!parse_openai_config_update(R"({"OPENAI_API_BASE_URLS":"http://a"})", current(), err));
  CAF_CHECK(!parse_openai_config_update(R"({"OPENAI_API_BASE_URLS":["ftp://a"]})", current(), err));
  CAF_CHECK(!parse_openai_config_update(
      R"({"OPENAI_API_BASE_URLS":["http://a"],"ENABLE_OPENAI_API":"yes"})", current(), err));
}

CAF_TEST(upstream urls split for connecting) {
  std::string err;
  auto t = parse_upstream_url("https://api.openai.com/v1/", err);
  CAF_REQUIRE(t.has_value());
  CAF_CHECK(t->tls);
  CAF_CHECK_EQUAL(t->port, "443");
  CAF_CHECK_EQUAL(t->base_path, "/v1");
  auto p = parse_upstream_url("http://127.0.0.1:11434", err);
  CAF_REQUIRE(p.has_value());
  CAF_CHECK_EQUAL(p->port, "11434");
  CAF_CHECK_EQUAL(p->base_path, "");
  CAF_CHECK_EQUAL(p->host_header, "127.0.0.1:11434");
  CAF_CHECK(!parse_upstream_url("localhost:11434", err));
}
