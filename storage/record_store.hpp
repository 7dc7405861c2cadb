#pragma once
// Keyed, versioned records in RocksDB under DATA_DIR: one record per object (a connection, a
// provider family's settings, and later users, groups, API keys, models, limits), under the key
// "r/<kind>/<id>". Each carries the version that wrote it (storage/hybrid_clock.hpp), and a
// deletion is kept as a tombstone with its version, so writes from several nodes can be ordered
// and merged last-writer-wins. The schema has a version; open() upgrades an older one in place,
// in one atomic batch, by the migrations it is given.
//
// Blocking: call it only from the actor that owns it (config_actor, detached on its own thread).
// Every write is one WriteBatch with sync=true, so an acknowledged change survives a crash.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/hybrid_clock.hpp"

namespace rocksdb {
class DB;
}

namespace sb {

struct record {
  std::string kind;  // "connection", "provider", ...
  std::string id;
  record_version version;
  bool deleted = false;
  std::string data;  // a JSON object's text; empty for a tombstone

  friend bool operator==(const record&, const record&) = default;
};

/// What a migration reads: the raw value under a key of the old schema, if any.
using raw_reader = std::function<std::optional<std::string>(std::string_view key)>;

/// What a migration does: records to write and old keys to erase (one batch, with the new schema
/// version, so an upgrade is whole or not at all).
struct migration_output {
  std::vector<record> records;
  std::vector<std::string> erase;
};

/// Upgrades schema `from` to `from + 1`; false (and `error`) when the old data cannot be read.
struct migration {
  int from;
  std::function<bool(const raw_reader&, const std::string& node, migration_output&,
                     std::string& error)>
      run;
};

class record_store {
 public:
  static constexpr int schema = 2;

  /// Opens (creating if needed) the database in `dir`, upgrading an older schema with
  /// `migrations`. Fails with a readable error when the directory is unusable, the database is
  /// corrupt, or its schema is newer than this release or has no migration.
  static std::unique_ptr<record_store> open(const std::string& dir,
                                            const std::vector<migration>& migrations,
                                            std::string& error);
  ~record_store();

  /// This node's id: generated when the database was created, kept in it.
  const std::string& node() const { return node_; }

  /// Every record of `kind`, tombstones included, in id order.
  std::vector<record> load(std::string_view kind, std::string& error);

  /// The record of `kind` stored under `id`, a tombstone too; nullopt when there is none (or on
  /// failure, with `error` set).
  std::optional<record> get(std::string_view kind, std::string_view id, std::string& error);

  /// Calls `f` with each record of `kind` whose id is in [from, to), in id order, until it
  /// returns false. False and `error` when the database cannot be read.
  bool scan(std::string_view kind, std::string_view from, std::string_view to,
            const std::function<bool(record&&)>& f, std::string& error);

  /// Erases the records of `kind` with ids in [from, to) for good, without tombstones: for
  /// records that expire rather than being deleted (usage past its retention).
  bool erase_range(std::string_view kind, std::string_view from, std::string_view to,
                   std::string& error);

  /// Writes `batch` durably and atomically; false (and `error`) on failure.
  bool write(const std::vector<record>& batch, std::string& error);

  /// The version of a new write of this node: after every version loaded or written here
  /// (thread-safe: the stores of several actors share this one).
  record_version next_version();

 private:
  record_store(rocksdb::DB* db, std::string node);
  std::unique_ptr<rocksdb::DB> db_;
  std::string node_;
  std::mutex clock_mutex_;
  hybrid_clock clock_;
  void witness(std::uint64_t stamp);
};

/// The stored form of one record (exposed for tests and migrations).
std::string record_key(std::string_view kind, std::string_view id);
std::string encode_record_value(const record& r);
std::optional<record> decode_record_value(std::string_view kind, std::string_view id,
                                          std::string_view value);

/// A fresh random id of `hex_digits` hex digits (connection ids, node ids).
std::string random_hex_id(std::size_t hex_digits);

/// A fresh random UUID (version 4), as Open WebUI names users and groups.
std::string random_uuid();

}  // namespace sb
