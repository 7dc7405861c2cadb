#include "storage/config_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace sb {

namespace json = boost::json;

namespace {
constexpr std::string_view schema_key = "meta/schema_version";
constexpr std::string_view schema_version = "1";
constexpr std::string_view config_key = "config/current";
constexpr std::string_view version_key = "config/version";

json::value encode_provider(const provider_config& p, bool with_keys, const char* urls_name) {
  json::object o;
  o["enable"] = p.enable;
  json::array urls;
  for (auto& u : p.base_urls) urls.emplace_back(u);
  o[urls_name] = std::move(urls);
  if (with_keys) {
    json::array keys;
    for (auto& k : p.api_keys) keys.emplace_back(k.reveal());
    o["api_keys"] = std::move(keys);
  }
  boost::system::error_code ec;
  auto cfgs = json::parse(p.api_configs_json, ec);
  o["api_configs"] = (!ec && cfgs.is_object()) ? cfgs : json::object{};
  return o;
}

bool decode_provider(const json::value& v, provider_config& p, const char* urls_name) {
  if (!v.is_object()) return false;
  auto& o = v.as_object();
  if (auto* e = o.if_contains("enable"); e && e->is_bool()) p.enable = e->as_bool();
  if (auto* u = o.if_contains(urls_name); u && u->is_array())
    for (auto& x : u->as_array()) {
      if (!x.is_string()) return false;
      p.base_urls.emplace_back(x.as_string());
    }
  if (auto* k = o.if_contains("api_keys"); k && k->is_array())
    for (auto& x : k->as_array())
      p.api_keys.emplace_back(x.is_string() ? std::string(x.as_string()) : "");
  if (auto* c = o.if_contains("api_configs"); c && c->is_object())
    p.api_configs_json = json::serialize(*c);
  return true;
}
}  // namespace

std::string encode_config(const gateway_config& cfg) {
  json::object o;
  o["openai"] = encode_provider(cfg.openai, true, "api_base_urls");
  o["ollama"] = encode_provider(cfg.ollama, false, "base_urls");
  return json::serialize(o);
}

std::optional<gateway_config> decode_config(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  gateway_config cfg;
  auto& o = v.as_object();
  auto* oa = o.if_contains("openai");
  auto* ol = o.if_contains("ollama");
  if (!oa || !ol || !decode_provider(*oa, cfg.openai, "api_base_urls") ||
      !decode_provider(*ol, cfg.ollama, "base_urls"))
    return std::nullopt;
  return cfg;
}

config_store::config_store(rocksdb::DB* db) : db_(db) {}
config_store::~config_store() = default;

std::unique_ptr<config_store> config_store::open(const std::string& dir, std::string& error) {
  std::error_code fec;
  std::filesystem::create_directories(dir, fec);
  if (fec) {
    error = "cannot create data dir '" + dir + "': " + fec.message();
    return nullptr;
  }
  // The database holds API keys: the directory and every file in it are the owner's alone, also
  // when an earlier version (or the admin) created them readable by others. New files follow the
  // process umask, which main sets to 077.
  namespace fs = std::filesystem;
  // The data dir itself may be shared (a volume, /tmp): it is not changed, only reported.
  if (auto st = fs::status(dir, fec); !fec && (st.permissions() & (fs::perms::group_all |
                                                                  fs::perms::others_all)) !=
                                                  fs::perms::none)
    spdlog::warn("data dir '{}' is open to other users; the configuration database inside is "
                 "kept to its owner",
                 dir);
  auto db_dir = fs::path(dir) / "config.rocksdb";
  if (fs::is_directory(db_dir, fec)) {
    fs::permissions(db_dir, fs::perms::owner_all, fs::perm_options::replace, fec);
    for (auto& entry : fs::directory_iterator(db_dir, fec))
      if (entry.is_regular_file(fec))
        fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::replace, fec);
  }
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.paranoid_checks = true;
  opts.max_open_files = 64;
  opts.keep_log_file_num = 2;
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(opts, (std::filesystem::path(dir) / "config.rocksdb").string(), &raw);
  if (!st.ok()) {
    error = "cannot open config database in '" + dir + "': " + st.ToString();
    return nullptr;
  }
  std::unique_ptr<config_store> store(new config_store(raw));
  std::string found;
  st = raw->Get(rocksdb::ReadOptions(), rocksdb::Slice(schema_key.data(), schema_key.size()),
                &found);
  if (st.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    st = raw->Put(wo, rocksdb::Slice(schema_key.data(), schema_key.size()),
                  rocksdb::Slice(schema_version.data(), schema_version.size()));
    if (!st.ok()) {
      error = "cannot write config database: " + st.ToString();
      return nullptr;
    }
  } else if (!st.ok()) {
    error = "cannot read config database: " + st.ToString();
    return nullptr;
  } else if (found != schema_version) {
    error = "config database schema version " + found + " is not supported (expected " +
            std::string(schema_version) + ")";
    return nullptr;
  }
  return store;
}

std::optional<gateway_config> config_store::load(std::string& error) {
  std::string text, version;
  auto st =
      db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(config_key.data(), config_key.size()), &text);
  if (st.IsNotFound()) return std::nullopt;
  if (!st.ok()) {
    error = "cannot read stored config: " + st.ToString();
    return std::nullopt;
  }
  auto cfg = decode_config(text);
  if (!cfg) {
    error = "stored config is not valid JSON of the expected shape";
    return std::nullopt;
  }
  st = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(version_key.data(), version_key.size()),
                &version);
  if (st.ok()) cfg->version = std::strtoull(version.c_str(), nullptr, 10);
  return cfg;
}

bool config_store::save(const gateway_config& cfg, std::string& error) {
  rocksdb::WriteBatch batch;
  auto text = encode_config(cfg);
  auto version = std::to_string(cfg.version);
  batch.Put(rocksdb::Slice(config_key.data(), config_key.size()), text);
  batch.Put(rocksdb::Slice(version_key.data(), version_key.size()), version);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto st = db_->Write(wo, &batch);
  if (!st.ok()) {
    error = "cannot write config: " + st.ToString();
    return false;
  }
  return true;
}

}  // namespace sb
