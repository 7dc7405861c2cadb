#define CAF_SUITE config_json
#include "http/api/config_json.hpp"

#include <boost/json.hpp>
#include <caf/test/unit_test.hpp>

#include "http/upstream/upstream_endpoint.hpp"

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
  auto text = render_provider_config(provider_kind::openai, current());
  CAF_CHECK_EQUAL(text.find("sk-aaaaaaaa1111"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("****1111"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("\"ENABLE_OPENAI_API\":true"), std::string::npos);
}

CAF_TEST(a mask echoed back keeps the stored key of the same connection at the same url) {
  std::string err;
  // Connection b moved to index 0 and a to index 2: each mask follows its URL.
  auto next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://b/v1","http://c/v1","http://a/v1"],)"
      R"("OPENAI_API_KEYS":["****2222","sk-new","****1111"],"OPENAI_API_CONFIGS":{"0":{"prefix_id":"x"},"7":{}}})",
      current(), false, err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->api_keys.at(0).reveal(), "sk-bbbbbbbb2222");
  CAF_CHECK_EQUAL(next->api_keys.at(1).reveal(), "sk-new");
  CAF_CHECK_EQUAL(next->api_keys.at(2).reveal(), "sk-aaaaaaaa1111");
  CAF_CHECK_EQUAL(next->api_configs_json, R"({"0":{"prefix_id":"x"}})");
  CAF_CHECK(next->enable);
}

CAF_TEST(a mask sent with a changed url is refused and never stored) {
  std::string err;
  auto next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://evil.example/v1","http://b/v1"],)"
      R"("OPENAI_API_KEYS":["****1111","****2222"]})",
      current(), false, err);
  CAF_CHECK(!next.has_value());
  CAF_CHECK_NOT_EQUAL(err.find("URL changed"), std::string::npos);
  // Another connection's mask does not travel either.
  next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://c/v1"],"OPENAI_API_KEYS":["****2222"]})", current(),
      false, err);
  CAF_CHECK(!next.has_value());
  CAF_CHECK_NOT_EQUAL(err.find("matches no stored key"), std::string::npos);
}

CAF_TEST(short keys all mask alike but each stays with its own url) {
  provider_config p;
  p.base_urls = {"http://a/v1", "http://b/v1"};
  p.api_keys = {secret_string("short1"), secret_string("short2")};
  std::string err;
  auto next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://b/v1","http://a/v1"],"OPENAI_API_KEYS":["****","****"]})",
      p, false, err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->api_keys.at(0).reveal(), "short2");
  CAF_CHECK_EQUAL(next->api_keys.at(1).reveal(), "short1");
}

CAF_TEST(secret headers and url credentials are masked and echoed back) {
  provider_config p;
  p.base_urls = {"http://user:hunter2secret@a/v1?key=qwertyuiop99&x=1"};
  p.api_keys = {secret_string("")};
  p.api_configs_json =
      R"({"0":{"headers":{"api-key":"azure-secret-123456","X-Title":"mine","Authorization":"Bearer tok-abcdefgh"}}})";
  auto text = render_provider_config(provider_kind::openai, p);
  for (auto* secret : {"hunter2secret", "qwertyuiop99", "azure-secret-123456", "tok-abcdefgh"})
    CAF_CHECK_EQUAL(text.find(secret), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("\"X-Title\":\"mine\""), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("user:****cret@a/v1?key=****op99&x=1"), std::string::npos);
  std::string err;
  auto next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://user:****cret@a/v1?key=****op99&x=1"],)"
      R"("OPENAI_API_CONFIGS":{"0":{"headers":{"api-key":"****3456","Authorization":"****efgh"}}}})",
      p, false, err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->base_urls.at(0), p.base_urls[0]);
  CAF_CHECK_NOT_EQUAL(next->api_configs_json.find("azure-secret-123456"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(next->api_configs_json.find("Bearer tok-abcdefgh"), std::string::npos);
  // The same masked header for a connection at another URL is refused.
  next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://other/v1"],)"
      R"("OPENAI_API_CONFIGS":{"0":{"headers":{"api-key":"****3456"}}}})",
      p, false, err);
  CAF_CHECK(!next.has_value());
}

CAF_TEST(a token as the url user is masked and a percent in a password is safe) {
  provider_config p;
  p.base_urls = {"https://sk-tokenasuser123456@h/v1", "https://user:longpassw%25rd@h2/v1",
                 "https://tok-emptypassword999:@h3/v1"};
  p.api_keys = {secret_string(""), secret_string(""), secret_string("")};
  auto text = render_provider_config(provider_kind::openai, p);  // must not throw
  CAF_CHECK_EQUAL(text.find("tokenasuser"), std::string::npos);
  CAF_CHECK_EQUAL(text.find("longpassw"), std::string::npos);
  CAF_CHECK_EQUAL(text.find("emptypassword"), std::string::npos);
  std::string err;
  auto shown = boost::json::parse(text).as_object().at("OPENAI_API_BASE_URLS").as_array();
  auto next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":[")" + std::string(shown[0].as_string()) + R"(",")" +
          std::string(shown[1].as_string()) + R"(",")" + std::string(shown[2].as_string()) +
          R"("]})",
      p, false, err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->base_urls.at(0), p.base_urls[0]);
  CAF_CHECK_EQUAL(next->base_urls.at(1), p.base_urls[1]);
  CAF_CHECK_EQUAL(next->base_urls.at(2), p.base_urls[2]);
}

CAF_TEST(framing headers and header injection are refused) {
  std::string err;
  for (auto* h : {R"({"Content-Length":"5"})", R"({"Transfer-Encoding":"chunked"})",
                  R"({"Host":"attacker.example"})",
                  R"({"X-A":"b\r\nX-Injected: 1"})", R"({"Bad Name":"x"})"}) {
    auto body = std::string(R"({"OPENAI_API_BASE_URLS":["http://a/v1"],"OPENAI_API_CONFIGS":{"0":{"headers":)") +
                h + "}}}";
    CAF_CHECK(!parse_provider_config_update(provider_kind::openai, body, current(), false, err));
  }
}

CAF_TEST(link local and metadata hosts are refused unless allowed) {
  std::string err;
  for (auto* url : {"http://169.254.169.254/latest", "http://2852039166/", "http://0xa9fea9fe/",
                    "http://0251.0376.0251.0376/", "http://[::ffff:169.254.169.254]/",
                    "http://[fe80::1]/", "http://metadata.google.internal/computeMetadata/v1",
                    "http://169.254.43518/", "http://168.63.129.16/",
                    "http://[64:ff9b::a9fe:a9fe]/", "http://[::ffff:0:a9fe:a9fe]/",
                    "http://[2002:a9fe:a9fe::1]/"}) {
    auto body = std::string(R"x({"OPENAI_API_BASE_URLS":[")x") + url + R"x("]})x";
    CAF_CHECK(!parse_provider_config_update(provider_kind::openai, body, current(), false, err));
    CAF_CHECK(parse_provider_config_update(provider_kind::openai, body, current(), true, err).has_value());
  }
  for (auto* url : {"http://127.0.0.1:11434", "http://10.0.0.5/v1", "http://[::1]:8000/v1",
                    "http://ollama.local:11434"}) {
    auto body = std::string(R"x({"OPENAI_API_BASE_URLS":[")x") + url + R"x("]})x";
    CAF_CHECK(parse_provider_config_update(provider_kind::openai, body, current(), false, err).has_value());
  }
}

CAF_TEST(keys pad and truncate to the url count) {
  std::string err;
  auto next = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://a/v1"],"OPENAI_API_KEYS":["k1","k2"]})", current(), false, err);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK_EQUAL(next->api_keys.size(), 1u);
  auto padded = parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://a/v1","http://b/v1"]})", current(), false, err);
  CAF_REQUIRE(padded.has_value());
  CAF_CHECK_EQUAL(padded->api_keys.size(), 2u);
}

CAF_TEST(bad forms are rejected) {
  std::string err;
  CAF_CHECK(!parse_provider_config_update(provider_kind::openai, "nope", current(), false, err));
  CAF_CHECK(!parse_provider_config_update(provider_kind::openai, R"({"OPENAI_API_BASE_URLS":"http://a"})", current(), false, err));
  CAF_CHECK(!parse_provider_config_update(provider_kind::openai, R"({"OPENAI_API_BASE_URLS":["ftp://a"]})", current(), false, err));
  CAF_CHECK(!parse_provider_config_update(provider_kind::openai, 
      R"({"OPENAI_API_BASE_URLS":["http://a"],"ENABLE_OPENAI_API":"yes"})", current(), false, err));
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
  auto q = parse_upstream_url("https://u:p%40ss@host/v1/?key=abc", err);
  CAF_REQUIRE(q.has_value());
  CAF_CHECK_EQUAL(q->query, "key=abc");
  CAF_CHECK_EQUAL(q->userinfo, "u:p%40ss");
  CAF_CHECK_EQUAL(q->host_header, "host");
}

CAF_TEST(azure deployment ids that are dot segments are refused) {
  std::string err;
  auto form = [](const char* id) {
    return std::string(R"({"OPENAI_API_BASE_URLS":["http://a/v1"],"OPENAI_API_CONFIGS":{"0":{"azure":true,"model_ids":["gpt",")") +
           id + R"("]}}})";
  };
  CAF_CHECK(!parse_provider_config_update(provider_kind::openai, form(".."), current(), false, err));
  CAF_CHECK(err.find("Azure deployment") != std::string::npos);
  CAF_CHECK(!parse_provider_config_update(provider_kind::openai, form("."), current(), false, err));
  CAF_CHECK(parse_provider_config_update(provider_kind::openai, form("..x"), current(), false, err));
}
