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
  CAF_REQUIRE_EQUAL(list->models.size(), 1u);
  CAF_CHECK(!list->pipelines);
  auto& m = list->models.front();
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
  CAF_REQUIRE_EQUAL(list->models.size(), 3u);  // all routable (embeddings, speech) ...
  CAF_CHECK(list->models[0].listed);           // ... only chat models listed
  CAF_CHECK(!list->models[1].listed);
  CAF_CHECK(!list->models[2].listed);
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
  CAF_CHECK_EQUAL(list->models.at(0).id, "n1.llama3:latest");
  CAF_CHECK_EQUAL(list->models.at(0).upstream_id, "llama3:latest");
}

CAF_TEST(a pipelines server list names its filters and pipes) {
  auto s = openai_spec(2);
  std::string err;
  auto list = adapter_for(s.key.kind).parse_model_list(s, R"({"object":"list","pipelines":true,
    "data":[{"id":"plain"},
            {"id":"pipe1","pipeline":{"type":"pipe","valves":false}},
            {"id":"f1","pipeline":{"type":"filter","pipelines":["m1","m2"],"priority":3,"valves":true}},
            {"id":"f2","pipeline":{"type":"filter","pipelines":["*"],"priority":-1.6}},
            {"id":"odd","pipeline":{}}]})", err);
  CAF_REQUIRE(list.has_value());
  CAF_CHECK(list->pipelines);
  CAF_REQUIRE_EQUAL(list->models.size(), 5u);
  auto& m = list->models;
  CAF_CHECK(m[0].pipeline == pipeline_role::none);
  CAF_CHECK(m[1].pipeline == pipeline_role::pipe);
  CAF_CHECK(m[2].pipeline == pipeline_role::filter);
  CAF_CHECK(!m[2].listed);
  CAF_CHECK_EQUAL(m[2].filter_priority, 3);
  CAF_CHECK_EQUAL(m[2].filter_targets, (std::vector<std::string>{"m1", "m2"}));
  CAF_CHECK_EQUAL(m[3].filter_priority, -2);
  CAF_CHECK(m[4].pipeline == pipeline_role::none);  // an empty pipeline object is none
  // Only a Pipelines server's list declares filters: elsewhere the item runs nowhere.
  list = adapter_for(s.key.kind).parse_model_list(s, R"({"data":[
    {"id":"sneaky","pipeline":{"type":"filter","pipelines":["*"]}}]})", err);
  CAF_REQUIRE(list.has_value());
  CAF_CHECK(list->models.at(0).pipeline == pipeline_role::filter);
  CAF_CHECK(list->models.at(0).filter_targets.empty());
  s.server_filters = true;  // the seed form: every model is a pipe
  list = adapter_for(s.key.kind).parse_model_list(s, R"({"data":[{"id":"x"}]})", err);
  CAF_REQUIRE(list.has_value());
  CAF_CHECK(!list->pipelines);
  CAF_CHECK(list->models.at(0).pipeline == pipeline_role::pipe);
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
