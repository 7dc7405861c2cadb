#define CAF_SUITE record_feed
#include <rocksdb/db.h>

#include <caf/test/unit_test.hpp>

#include "storage/config_store.hpp"
#include "storage/record_store.hpp"
#include "support/temp_dir.hpp"

using namespace sb;

namespace {

record rec(std::string kind, std::string id, std::uint64_t stamp, std::string node,
           std::string data = R"({"v":1})") {
  return {std::move(kind), std::move(id), {stamp, std::move(node)}, false, std::move(data)};
}

std::vector<std::string> ids(const std::vector<record>& rs) {
  std::vector<std::string> out;
  for (auto& r : rs) out.push_back(r.id);
  return out;
}

std::vector<std::string> feed_ids(record_store& s, std::uint64_t after = 0) {
  std::string err;
  return ids(s.changes_after(after, 1000, err).records);
}

}  // namespace

CAF_TEST(every write takes the next feed position and an overwrite moves it) {
  test::temp_dir d("sb-feed");
  std::string err;
  auto s = open_record_store(d.path.string(), err);
  CAF_REQUIRE(s != nullptr);
  std::vector<std::uint64_t> told;
  s->on_change([&](std::uint64_t at) { told.push_back(at); });
  CAF_REQUIRE(s->write({rec("model", "a", 10, "n1"), rec("model", "b", 11, "n1")}, err));
  CAF_REQUIRE(s->write({rec("model", "a", 12, "n1", R"({"v":2})")}, err));
  CAF_CHECK_EQUAL(s->feed_position(), 3u);
  CAF_CHECK_EQUAL(told, (std::vector<std::uint64_t>{2, 3}));
  CAF_CHECK_EQUAL(feed_ids(*s), (std::vector<std::string>{"b", "a"}));
  CAF_CHECK_EQUAL(feed_ids(*s, 2), (std::vector<std::string>{"a"}));
  auto page = s->changes_after(0, 1, err);
  CAF_CHECK(page.more);
  CAF_CHECK_EQUAL(page.upto, 2u);  // position 1 was a's, since overwritten
  CAF_CHECK_EQUAL(ids(page.records), (std::vector<std::string>{"b"}));
}

CAF_TEST(merge keeps the newer version and remembers the peer position) {
  test::temp_dir d("sb-feed");
  std::string err;
  auto s = open_record_store(d.path.string(), err);
  CAF_REQUIRE(s != nullptr);
  CAF_REQUIRE(s->write({rec("model", "a", 20, "n1", R"({"v":"mine"})")}, err));
  auto stored = s->merge({rec("model", "a", 19, "n2", R"({"v":"older"})"),
                          rec("model", "b", 5, "n2"), rec("model", "c", 7, "n2"),
                          rec("model", "c", 6, "n3", R"({"v":"stale"})")},
                         "n2", {"e2", 42}, err);
  CAF_REQUIRE(stored.has_value());
  CAF_CHECK_EQUAL(ids(*stored), (std::vector<std::string>{"b", "c"}));
  auto a = s->get("model", "a", err);
  auto c = s->get("model", "c", err);
  CAF_REQUIRE(a && c);
  CAF_CHECK_EQUAL(a->data, R"({"v":"mine"})");
  CAF_CHECK_EQUAL(c->version.node, "n2");
  CAF_CHECK_EQUAL(s->peer_position("n2", err).position, 42u);
  CAF_CHECK_EQUAL(s->peer_position("n2", err).epoch, "e2");
  CAF_CHECK_EQUAL(s->peer_position("n9", err).position, 0u);
  // A tie on the stamp goes to the greater node name, on every node alike.
  stored = s->merge({rec("model", "a", 20, "n9", R"({"v":"theirs"})")}, "", {}, err);
  CAF_CHECK_EQUAL(stored->size(), 1u);
  a = s->get("model", "a", err);
  CAF_CHECK_EQUAL(a->data, R"({"v":"theirs"})");
  // The clock moved past what was merged: the next local write orders after it.
  CAF_CHECK(s->next_version().stamp > 20u);
}

CAF_TEST(the feed survives reopening and a database without one gets one) {
  test::temp_dir d("sb-feed");
  std::string err;
  {
    auto s = open_record_store(d.path.string(), err);
    CAF_REQUIRE(s != nullptr);
    CAF_REQUIRE(s->write({rec("model", "a", 1, "n1"), rec("limit", "user/x", 2, "n1")}, err));
  }
  {
    // As an older release left it: records without positions, no feed.
    rocksdb::DB* db = nullptr;
    CAF_REQUIRE(rocksdb::DB::Open({}, (d.path / "config.rocksdb").string(), &db).ok());
    db->Delete({}, "meta/feed_position");
    db->Delete({}, feed_key(1));
    db->Delete({}, feed_key(2));
    delete db;
  }
  auto s = open_record_store(d.path.string(), err);
  CAF_REQUIRE(s != nullptr);
  CAF_CHECK_EQUAL(s->feed_position(), 2u);
  CAF_CHECK_EQUAL(feed_ids(*s), (std::vector<std::string>{"user/x", "a"}));
  CAF_REQUIRE(s->write({rec("model", "b", 3, "n1")}, err));
  CAF_CHECK_EQUAL(feed_ids(*s, 2), (std::vector<std::string>{"b"}));
}

CAF_TEST(erased records leave the feed) {
  test::temp_dir d("sb-feed");
  std::string err;
  auto s = open_record_store(d.path.string(), err);
  CAF_REQUIRE(s != nullptr);
  CAF_REQUIRE(s->write({rec("usage", "0001", 1, "n1"), rec("usage", "0002", 2, "n1"),
                        rec("model", "m", 3, "n1")},
                       err));
  CAF_REQUIRE(s->erase_range("usage", "0000", "0002", err));
  CAF_CHECK_EQUAL(feed_ids(*s), (std::vector<std::string>{"0002", "m"}));
}

CAF_TEST(a node name given at open replaces the stored one) {
  test::temp_dir d("sb-feed");
  std::string err;
  std::string first;
  {
    auto s = open_record_store(d.path.string(), err);
    CAF_REQUIRE(s != nullptr);
    first = s->node();
  }
  {
    auto s = record_store::open(d.path.string(), {}, err, "gw-2");
    CAF_REQUIRE(s != nullptr);
    CAF_CHECK_EQUAL(s->node(), "gw-2");
  }
  auto s = open_record_store(d.path.string(), err);
  CAF_CHECK_EQUAL(s->node(), "gw-2");
  CAF_CHECK_NOT_EQUAL(first, "gw-2");
}
