#define CAF_SUITE config_store
#include "storage/config_store.hpp"

#include <rocksdb/db.h>

#include <caf/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "config/startup_config.hpp"

#include "support/temp_dir.hpp"

using namespace sb;
namespace fs = std::filesystem;

namespace {
struct temp_dir : test::temp_dir {
  temp_dir() : test::temp_dir("sb-store") {}
};
gateway_config sample() {
  gateway_config c;
  c.openai.version = 6;
  c.ollama.version = 7;
  c.version = 7;
  c.openai.base_urls = {"http://a/v1"};
  c.openai.ids = {"c-a"};
  c.openai.api_keys = {secret_string("sk-secret")};
  c.openai.api_configs_json = R"({"0":{"prefix_id":"x"}})";
  c.ollama.enable = false;
  c.ollama.base_urls = {"http://o:11434"};
  c.ollama.ids = {"c-o"};
  return c;
}

std::string raw_get(const fs::path& dir, const std::string& key) {
  rocksdb::DB* db = nullptr;
  rocksdb::Options o;
  if (!rocksdb::DB::OpenForReadOnly(o, (dir / "config.rocksdb").string(), &db).ok()) return "?";
  std::string v;
  auto st = db->Get(rocksdb::ReadOptions(), key, &v);
  delete db;
  return st.ok() ? v : "";
}
}  // namespace

CAF_TEST(save then load survives reopening) {
  temp_dir d;
  std::string err;
  {
    auto store = config_store::open(d.path.string(), err);
    CAF_REQUIRE(store != nullptr);
    CAF_CHECK(!store->load(err).has_value());
    CAF_REQUIRE(store->save(sample(), err));
  }
  auto store = config_store::open(d.path.string(), err);
  CAF_REQUIRE(store != nullptr);
  auto loaded = store->load(err);
  CAF_REQUIRE(loaded.has_value());
  CAF_CHECK(*loaded == sample());
}

CAF_TEST(schema mismatch fails fast) {
  temp_dir d;
  std::string err;
  { CAF_REQUIRE(config_store::open(d.path.string(), err) != nullptr); }
  {
    rocksdb::DB* db = nullptr;
    rocksdb::Options o;
    CAF_REQUIRE(rocksdb::DB::Open(o, (d.path / "config.rocksdb").string(), &db).ok());
    db->Put(rocksdb::WriteOptions(), "meta/schema_version", "99");  // a newer release's
    delete db;
  }
  CAF_CHECK(config_store::open(d.path.string(), err) == nullptr);
  CAF_CHECK_NOT_EQUAL(err.find("schema"), std::string::npos);
}

CAF_TEST(a schema 1 database is upgraded in place to one record per connection) {
  temp_dir d;
  std::string err;
  {
    rocksdb::DB* db = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    fs::create_directories(d.path);
    CAF_REQUIRE(rocksdb::DB::Open(o, (d.path / "config.rocksdb").string(), &db).ok());
    db->Put(rocksdb::WriteOptions(), "meta/schema_version", "1");
    db->Put(rocksdb::WriteOptions(), "config/version", "3");
    db->Put(rocksdb::WriteOptions(), "config/current",
            R"({"openai":{"enable":true,"api_base_urls":["http://a/v1","http://b/v1"],)"
            R"("api_keys":["sk-a",""],"api_configs":{"0":{"prefix_id":"pa"},)"
            R"("http://b/v1":{"model_ids":["m"]}}},)"
            R"("ollama":{"enable":false,"base_urls":["http://o:11434"],)"
            R"("api_configs":{"0":{"key":"ok"}}}})");
    delete db;
  }
  std::vector<std::string> ids;
  {
    auto store = config_store::open(d.path.string(), err);
    CAF_REQUIRE(store != nullptr);
    auto cfg = store->load(err);
    CAF_REQUIRE(cfg.has_value());
    CAF_CHECK_EQUAL(cfg->openai.base_urls, (std::vector<std::string>{"http://a/v1", "http://b/v1"}));
    CAF_CHECK_EQUAL(cfg->openai.api_keys.at(0).reveal(), "sk-a");
    // The legacy URL-keyed entry is now the entry of its index.
    CAF_CHECK_EQUAL(cfg->openai.api_configs_json,
                    R"({"0":{"prefix_id":"pa"},"1":{"model_ids":["m"]}})");
    CAF_CHECK(!cfg->ollama.enable);
    CAF_CHECK_EQUAL(cfg->ollama.api_configs_json, R"({"0":{"key":"ok"}})");
    CAF_REQUIRE_EQUAL(cfg->openai.ids.size(), 2u);
    CAF_CHECK_NOT_EQUAL(cfg->openai.ids[0], cfg->openai.ids[1]);
    CAF_CHECK(cfg->version > 0u);
    ids = cfg->openai.ids;
  }
  CAF_CHECK_EQUAL(raw_get(d.path, "meta/schema_version"), "2");
  CAF_CHECK_EQUAL(raw_get(d.path, "config/current"), "");  // the old document is gone
  auto store = config_store::open(d.path.string(), err);
  CAF_REQUIRE(store != nullptr);
  auto again = store->load(err);
  CAF_CHECK_EQUAL(err, "");
  CAF_REQUIRE(again.has_value());
  CAF_CHECK(again->openai.ids == ids);  // upgraded once, ids kept
}

CAF_TEST(a removed connection leaves a tombstone and the others keep their records) {
  temp_dir d;
  std::string err;
  auto store = config_store::open(d.path.string(), err);
  CAF_REQUIRE(store != nullptr);
  CAF_CHECK(!store->load(err).has_value());
  auto cfg = sample();
  cfg.openai.base_urls.push_back("http://b/v1");
  cfg.openai.ids.push_back("c-b");
  cfg.openai.api_keys.emplace_back("");
  CAF_REQUIRE(store->save(cfg, err));
  auto kept = raw_get(d.path, "r/connection/c-b");
  cfg.openai.base_urls.erase(cfg.openai.base_urls.begin());
  cfg.openai.ids.erase(cfg.openai.ids.begin());
  cfg.openai.api_keys.erase(cfg.openai.api_keys.begin());
  cfg.openai.api_configs_json = "{}";
  cfg.openai.version = 9;
  CAF_REQUIRE(store->save(cfg, err));
  CAF_CHECK_NOT_EQUAL(raw_get(d.path, "r/connection/c-a").find(R"("deleted":true)"),
                      std::string::npos);
  // c-b moved from position 1 to 0: its record changed; nothing else of it did.
  CAF_CHECK_NOT_EQUAL(raw_get(d.path, "r/connection/c-b"), kept);
}

CAF_TEST(startup seeds once then the database wins) {
  temp_dir d;
  std::string err;
  auto store = config_store::open(d.path.string(), err);
  CAF_REQUIRE(store != nullptr);
  std::string url = "http://first/v1";
  env_lookup env = [&](const char* n) -> std::optional<std::string> {
    if (std::string_view(n) == "OPENAI_API_BASE_URLS") return url;
    return std::nullopt;
  };
  settings s;
  auto first = startup_config(*store, env, s, err);
  CAF_REQUIRE(first.has_value());
  CAF_CHECK_EQUAL(first->openai.base_urls.at(0), "http://first/v1");
  url = "http://second/v1";
  auto again = startup_config(*store, env, s, err);
  CAF_CHECK_EQUAL(again->openai.base_urls.at(0), "http://first/v1");
  s.reset_config_on_start = true;
  auto reset = startup_config(*store, env, s, err);
  CAF_CHECK_EQUAL(reset->openai.base_urls.at(0), "http://second/v1");
  CAF_CHECK(reset->version > first->version);
}

CAF_TEST(secrets never print) {
  secret_string k("sk-live-1234567890abcd");
  std::ostringstream os;
  os << k;
  CAF_CHECK_EQUAL(os.str(), "***");
  CAF_CHECK_EQUAL(k.masked(), "****abcd");
  CAF_CHECK_EQUAL(secret_string("short").masked(), "****");
}
