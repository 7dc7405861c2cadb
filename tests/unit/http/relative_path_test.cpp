#define CAF_SUITE relative_path
#include "http/api/relative_path.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

namespace {
std::string resolved(std::string_view p) {
  std::string why;
  auto r = resolve_relative_path(p, why);
  return r ? *r : "refused: " + why;
}
bool refused(std::string_view p) { return resolved(p).starts_with("refused"); }
}  // namespace

CAF_TEST(ordinary paths stay as they are) {
  CAF_CHECK_EQUAL(resolved("models"), "/models");
  CAF_CHECK_EQUAL(resolved("files/abc/content"), "/files/abc/content");
  CAF_CHECK_EQUAL(resolved("files/"), "/files/");
  CAF_CHECK_EQUAL(resolved(""), "/");
  CAF_CHECK_EQUAL(resolved("v.1/a..b/...x"), "/v.1/a..b/...x");
  CAF_CHECK_EQUAL(resolved("a%20b"), "/a%20b");
}

CAF_TEST(dot segments are resolved within the path) {
  CAF_CHECK_EQUAL(resolved("a/./b"), "/a/b");
  CAF_CHECK_EQUAL(resolved("a/b/../c"), "/a/c");
  CAF_CHECK_EQUAL(resolved("a/%2e%2E/c"), "/c");
  CAF_CHECK_EQUAL(resolved("a/b/.."), "/a/");
  CAF_CHECK_EQUAL(resolved("a//b"), "/a/b");
  CAF_CHECK_EQUAL(resolved("a/b/..;x/c"), "/a/c");
}

CAF_TEST(a path that climbs out of the base or hides a separator is refused) {
  CAF_CHECK(refused("../../../etc/passwd"));
  CAF_CHECK(refused("a/../../b"));
  CAF_CHECK(refused("%2e%2e/x"));
  CAF_CHECK(refused(".%2E/x"));
  CAF_CHECK(refused("%2E./x"));
  CAF_CHECK(refused("..%2fadmin"));
  CAF_CHECK(refused("a%2Fb"));
  CAF_CHECK(refused("a\\..\\b"));
  CAF_CHECK(refused("a%5cb"));
  CAF_CHECK(refused("..;/x"));
  CAF_CHECK(refused("a/..;jsessionid=1/../b"));
  CAF_CHECK(refused("a%00b"));
}
