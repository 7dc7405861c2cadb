#define CAF_SUITE json_members
#include "http/upstream/providers/json_members.hpp"

#include <caf/test/unit_test.hpp>
#include <string>

using namespace sb;

namespace {
std::string without(std::string body, std::string_view name) {
  if (!remove_top_level_members(body, [&](std::string_view n) { return n == name; }))
    return "<refused>";
  return body;
}
}  // namespace

CAF_TEST(members are listed with their key positions) {
  std::string body = R"({ "a": {"x": "}, ,"}, "b\u0020c": [1, 2], "d": "e" })";
  auto m = top_level_members(body);
  CAF_REQUIRE(m.has_value());
  CAF_REQUIRE_EQUAL(m->size(), 3u);
  CAF_CHECK_EQUAL((*m)[1].name, "b c");
  CAF_CHECK_EQUAL(body[(*m)[1].begin], '"');
  CAF_CHECK(!top_level_members(body += "x"));
}

CAF_TEST(any member can be removed and the rest stays) {
  std::string body = R"({"model":"m","messages":[{"a":"},"}],"n":1})";
  CAF_CHECK_EQUAL(without(body, "model"), R"({"messages":[{"a":"},"}],"n":1})");
  CAF_CHECK_EQUAL(without(body, "messages"), R"({"model":"m","n":1})");
  CAF_CHECK_EQUAL(without(body, "n"), R"({"model":"m","messages":[{"a":"},"}]})");
  CAF_CHECK_EQUAL(without(body, "absent"), body);  // not a byte changes
  CAF_CHECK_EQUAL(without(R"({"only": 1})", "only"), R"({})");
  CAF_CHECK_EQUAL(without("{\n  \"a\": 1,\n  \"b\": 2\n}\n", "a"), "{\n  \"b\": 2\n}\n");
  CAF_CHECK_EQUAL(without("[1]", "a"), "<refused>");
  CAF_CHECK_EQUAL(without("{\"a\":", "a"), "<refused>");
}
