#define CAF_SUITE usage
#include "actors/usage_actor.hpp"

#include <caf/test/unit_test.hpp>
#include <filesystem>

#include "storage/config_store.hpp"

#include "support/temp_dir.hpp"

using namespace sb;
namespace fs = std::filesystem;

namespace {

struct temp_dir : test::temp_dir {
  temp_dir() : test::temp_dir("sb-usage") {}
};

request_record metered(std::string user, std::string model, std::int64_t prompt,
                       std::int64_t completion, unsigned status = 200) {
  request_record r;
  r.metered = true;
  r.at_ms = 10 * 3'600'000 + 5;  // hour 10
  r.user_id = std::move(user);
  r.model = std::move(model);
  r.connection = "c1";
  r.status = status;
  r.prompt_tokens = prompt;
  r.completion_tokens = completion;
  return r;
}

usage_row row(std::int64_t hour, std::string user, std::string model, std::uint64_t prompt) {
  usage_row r;
  r.key = {hour, std::move(user), "", std::move(model), "c1"};
  r.counts.requests = 1;
  r.counts.prompt_tokens = prompt;
  return r;
}

}  // namespace

CAF_TEST(a metered record counts and an unmetered one does not) {
  usage_key_view k;
  usage_counts c;
  auto r = metered("u1", "m", 12, 34);
  CAF_REQUIRE(usage_of(r, k, c));
  CAF_CHECK_EQUAL(k.hour, 10);
  CAF_CHECK_EQUAL(k.user_id, "u1");
  CAF_CHECK_EQUAL(c.prompt_tokens, 12u);
  CAF_CHECK_EQUAL(c.completion_tokens, 34u);
  CAF_CHECK_EQUAL(c.usage_unknown, 0u);
  CAF_CHECK_EQUAL(c.errors, 0u);
  r.metered = false;
  CAF_CHECK(!usage_of(r, k, c));
}

CAF_TEST(an answer without usage is counted as unknown and never as zero tokens) {
  usage_key_view k;
  usage_counts c;
  CAF_REQUIRE(usage_of(metered("u1", "m", -1, -1), k, c));
  CAF_CHECK_EQUAL(c.usage_unknown, 1u);
  CAF_CHECK_EQUAL(c.prompt_tokens, 0u);
  auto cut = metered("u1", "m", 5, -1);
  cut.cut = true;
  CAF_REQUIRE(usage_of(cut, k, c));
  CAF_CHECK_EQUAL(c.errors, 1u);
  CAF_CHECK_EQUAL(c.usage_unknown, 0u);
  CAF_REQUIRE(usage_of(metered("u1", "m", -1, -1, 429), k, c));
  CAF_CHECK_EQUAL(c.errors, 1u);
}

CAF_TEST(rows group by day and by the fields asked for) {
  std::vector<usage_row> rows = {row(24 * 3 + 1, "a", "m1", 1), row(24 * 3 + 5, "a", "m2", 2),
                                 row(24 * 3 + 5, "b", "m1", 4), row(24 * 4, "a", "m1", 8)};
  auto by_user_day = group_usage(rows, usage_by_user | usage_by_day);
  CAF_REQUIRE_EQUAL(by_user_day.size(), 3u);
  CAF_CHECK_EQUAL(by_user_day[0].key.hour, 24 * 3);
  CAF_CHECK_EQUAL(by_user_day[0].key.user_id, "a");
  CAF_CHECK_EQUAL(by_user_day[0].key.model, "");
  CAF_CHECK_EQUAL(by_user_day[0].counts.prompt_tokens, 3u);
  CAF_CHECK_EQUAL(by_user_day[0].counts.requests, 2u);
  auto all = group_usage(rows, 0);
  CAF_REQUIRE_EQUAL(all.size(), 1u);
  CAF_CHECK_EQUAL(all[0].counts.prompt_tokens, 15u);
}

CAF_TEST(the store adds to a row and reads hours back in range) {
  temp_dir d;
  std::string err;
  {
    auto records = open_record_store(d.path.string(), err);
    CAF_REQUIRE(records != nullptr);
    usage_store store(records);
    CAF_REQUIRE(store.add({row(100, "a", "m/1", 5), row(101, "a", "m/1", 7)}, err));
    CAF_REQUIRE(store.add({row(100, "a", "m/1", 5)}, err));
  }
  // Reopened: the second add to hour 100 read the first from the database.
  auto records = open_record_store(d.path.string(), err);
  usage_store store(records);
  CAF_REQUIRE(store.add({row(100, "a", "m/1", 1)}, err));
  std::vector<usage_row> seen;
  CAF_REQUIRE(store.scan(100, 101, [&](const usage_row& r) { seen.push_back(r); }, err));
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0].key.model, "m/1");
  CAF_CHECK_EQUAL(seen[0].counts.prompt_tokens, 11u);
  CAF_CHECK_EQUAL(seen[0].counts.requests, 3u);
  CAF_REQUIRE(store.erase_before(101, err));
  seen.clear();
  CAF_REQUIRE(store.scan(0, 1000, [&](const usage_row& r) { seen.push_back(r); }, err));
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0].key.hour, 101);
}

CAF_TEST(an id part holding the separator cannot collide with another row) {
  usage_key a{1, "x\x1f" "y", "", "m", "c"};
  usage_key b{1, "x", "y", "m", "c"};
  CAF_CHECK_NOT_EQUAL(usage_row_id(a, "n"), usage_row_id(b, "n"));
}
