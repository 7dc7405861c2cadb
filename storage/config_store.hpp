#pragma once
// Durable storage of gateway_config in RocksDB under DATA_DIR. Blocking: call it only from the
// config actor, which runs detached on its own thread. Every save is one WriteBatch written with
// sync=true, so an acknowledged config change survives a crash or power loss.
#include <memory>
#include <optional>
#include <string>

#include "messages/config_types.hpp"

namespace rocksdb {
class DB;
}

namespace sb {

class config_store {
 public:
  /// Opens (creating if needed) the database in `dir`. Fails with a readable error when the
  /// directory is unusable, the database is corrupt, or it was written by an incompatible schema.
  static std::unique_ptr<config_store> open(const std::string& dir, std::string& error);

  ~config_store();

  /// The stored configuration, if one was ever saved. Sets `error` on a corrupt value.
  std::optional<gateway_config> load(std::string& error);

  /// Stores `cfg` durably; returns false and sets `error` on failure.
  bool save(const gateway_config& cfg, std::string& error);

 private:
  explicit config_store(rocksdb::DB* db);
  std::unique_ptr<rocksdb::DB> db_;
};

/// The JSON document a configuration is stored as: Open WebUI's own config layout
/// ({"openai": {"enable", "api_base_urls", "api_keys", "api_configs"}, "ollama": {...}}).
std::string encode_config(const gateway_config& cfg);
std::optional<gateway_config> decode_config(std::string_view text);

}  // namespace sb
