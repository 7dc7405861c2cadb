#define CAF_SUITE config_store
#include "storage/config_store.hpp"

#include <rocksdb/db.h>

#include <caf/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "config/startup_config.hpp"

using namespace sb;
namespace fs = std::filesystem;

namespace {
struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("sb-store-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};
gateway_config sample() {
  gateway_config c;
  c.version = 7;
  c.openai.base_urls = {"http://a/v1"};
  c.openai.api_keys = {secret_string("sk-secret")};
  c.openai.api_configs_json = R"({"0":{"prefix_id":"x"}})";
  c.ollama.enable = false;
  c.ollama.base_urls = {"http://o:11434"};
  return c;
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
    db->Put(rocksdb::WriteOptions(), "meta/schema_version", "99");
    delete db;
  }
  CAF_CHECK(config_store::open(d.path.string(), err) == nullptr);
  CAF_CHECK_NOT_EQUAL(err.find("schema"), std::string::npos);
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
