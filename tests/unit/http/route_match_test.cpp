#define CAF_SUITE route_match
#include "http/api/route_match.hpp"

#include <caf/test/unit_test.hpp>

#include "http/api/route_table.hpp"

using namespace sb;

CAF_TEST(literal patterns match only themselves) {
  route_params p;
  CAF_CHECK(match_route("/ollama/api/tags", "/ollama/api/tags", p));
  CAF_CHECK(!p.url_idx);
  CAF_CHECK(!match_route("/ollama/api/tags", "/ollama/api/tags/", p));
  CAF_CHECK(!match_route("/ollama/api/tags", "/ollama/api/tag", p));
  CAF_CHECK(!match_route("/ollama/api/tags", "/ollama/api/tagsx", p));
  CAF_CHECK(!match_route("/ollama/api/tags", "/ollama/api", p));
  CAF_CHECK(literal_pattern("/ollama/api/tags"));
  CAF_CHECK(!literal_pattern("/ollama/api/tags/{url_idx}"));
}

CAF_TEST(url_idx captures exactly one non-empty segment) {
  route_params p;
  CAF_REQUIRE(match_route("/ollama/api/chat/{url_idx}", "/ollama/api/chat/12", p));
  CAF_CHECK_EQUAL(*p.url_idx, "12");
  CAF_REQUIRE(match_route("/ollama/api/chat/{url_idx}", "/ollama/api/chat/-1", p));
  CAF_CHECK_EQUAL(*p.url_idx, "-1");  // captured raw: the router says why it names nothing
  CAF_CHECK(!match_route("/ollama/api/chat/{url_idx}", "/ollama/api/chat/", p));
  CAF_CHECK(!match_route("/ollama/api/chat/{url_idx}", "/ollama/api/chat", p));
  CAF_CHECK(!match_route("/ollama/api/chat/{url_idx}", "/ollama/api/chat/1/2", p));
  CAF_CHECK(!match_route("/ollama/api/chat/{url_idx}", "/ollama/api/chats/1", p));
}

CAF_TEST(path captures the non-empty rest) {
  route_params p;
  CAF_REQUIRE(match_route("/openai/{path}", "/openai/files/abc/content", p));
  CAF_CHECK_EQUAL(p.path, "files/abc/content");
  CAF_CHECK(!match_route("/openai/{path}", "/openai/", p));
  CAF_CHECK(!match_route("/openai/{path}", "/openai", p));
  CAF_CHECK(!match_route("/openai/{path}", "/openaix/y", p));
}

CAF_TEST(the route table is consistent) {
  // Every pattern is well formed and answers some method; no pattern and method appear twice.
  auto table = route_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    auto& r = table[i];
    CAF_CHECK(r.pattern.starts_with("/"));
    CAF_CHECK(r.methods != 0);
    CAF_CHECK(r.handler != nullptr);
    for (std::size_t j = i + 1; j < table.size(); ++j)
      CAF_CHECK(!(table[j].pattern == r.pattern && (table[j].methods & r.methods)));
  }
}
