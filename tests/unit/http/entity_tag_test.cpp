#define CAF_SUITE entity_tag
#include "http/api/entity_tag.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;
using v = std::vector<std::uint64_t>;

CAF_TEST(a version is shown as a strong tag) { CAF_CHECK_EQUAL(entity_tag(42), "\"42\""); }

CAF_TEST(if match names versions or any) {
  CAF_CHECK(if_match_versions(std::nullopt) == v{});
  CAF_CHECK(if_match_versions("*") == v{});
  CAF_CHECK(if_match_versions("\"42\"") == v{42});
  CAF_CHECK(if_match_versions(" \"1\" , \"2\",\"x\"") == (v{1, 2}));
}

CAF_TEST(if match with nothing of ours matches no version) {
  CAF_CHECK(if_match_versions("W/\"42\"") == v{0});  // weak: never for If-Match
  CAF_CHECK(if_match_versions("42") == v{0});
  CAF_CHECK(if_match_versions("\"\"") == v{0});
  CAF_CHECK(if_match_versions("\"0\"") == v{0});
  CAF_CHECK(if_match_versions("\"99999999999999999999999\"") == v{0});
}
