#define CAF_SUITE model_list
#include "http/upstream/providers/provider_adapter.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

namespace {
connection_spec openai_spec(int idx) {
  connection_spec s;
  s.key = {provider_kind::openai, idx};
  s.url = "http://a/v1";
  s.connection_type = "external";
  return s;
}
}  // namespace

CAF_TEST(openai entries carry urlIdx prefix and the raw model) {
  auto s = openai_spec(3);
  s.prefix_id = "pre";
  s.tags_json = R"([{"name":"fast"}])";
  std::string err;
  auto list = adapter_for(s.key.kind).parse_model_list(
      s, R"({"object":"list","data":[{"id":"m1","owned_by":"x"},{"nope":1}]})", err);
  CAF_REQUIRE(list.has_value());
  CAF_REQUIRE_EQUAL(list->size(), 1u);
  auto& m = list->front();
  CAF_CHECK_EQUAL(m.id, "pre.m1");
  CAF_CHECK_EQUAL(m.upstream_id, "m1");
  for (auto needle : {R"("urlIdx":3)", R"("owned_by":"openai")", R"("name":"pre.m1")",
                      R"("openai":{"id":"pre.m1")", R"("tags":[{"name":"fast"}])",
                      R"("connection_type":"external")"})
    CAF_CHECK_NOT_EQUAL(m.entry_json.find(needle), std::string::npos);
}

CAF_TEST(allow list filters and official openai unlists non chat models) {
  auto s = openai_spec(0);
  s.url = "https://api.openai.com/v1";
  std::string err;
  auto list = adapter_for(s.key.kind).parse_model_list(
      s, R"({"data":[{"id":"gpt-4o"},{"id":"whisper-1"},{"id":"text-embedding-3"}]})", err);
  CAF_REQUIRE(list.has_value());
  CAF_REQUIRE_EQUAL(list->size(), 3u);  // all routable (embeddings, speech) ...
  CAF_CHECK((*list)[0].listed);         // ... only chat models listed
  CAF_CHECK(!(*list)[1].listed);
  CAF_CHECK(!(*list)[2].listed);
  s.model_ids = {"only"};
  auto synth = adapter_for(s.key.kind).synthesize_model_list(s);
  CAF_REQUIRE_EQUAL(synth.size(), 1u);
  CAF_CHECK_EQUAL(synth[0].id, "only");
}

CAF_TEST(ollama tags are renamed on model) {
  connection_spec s;
  s.key = {provider_kind::ollama, 1};
  s.prefix_id = "n1";
  s.connection_type = "local";
  std::string err;
  auto list =
      adapter_for(s.key.kind).parse_model_list(s, R"({"models":[{"name":"llama3:latest","model":"llama3:latest"}]})", err);
  CAF_REQUIRE(list.has_value());
  CAF_CHECK_EQUAL(list->at(0).id, "n1.llama3:latest");
  CAF_CHECK_EQUAL(list->at(0).upstream_id, "llama3:latest");
}

CAF_TEST(garbage is an error) {
  auto s = openai_spec(0);
  std::string err;
  CAF_CHECK(!adapter_for(s.key.kind).parse_model_list(s, "<html>", err));
  CAF_CHECK(!adapter_for(s.key.kind).parse_model_list(s, R"({"models":[]})", err));
}

CAF_TEST(openrouter gets its attribution headers and nobody else does) {
  auto& a = adapter_for(provider_kind::openai);
  auto h = a.etiquette_headers("openrouter.ai");
  CAF_REQUIRE_EQUAL(h.size(), 2u);
  CAF_CHECK_EQUAL(h[0].first, "HTTP-Referer");
  CAF_CHECK_EQUAL(h[1].first, "X-Title");
  CAF_CHECK_EQUAL(a.etiquette_headers("eu.openrouter.ai").size(), 2u);
  CAF_CHECK(a.etiquette_headers("openrouter.ai.evil.example").empty());
  CAF_CHECK(a.etiquette_headers("api.openai.com").empty());
  CAF_CHECK(adapter_for(provider_kind::ollama).etiquette_headers("openrouter.ai").empty());
}
