#pragma once
// Keyed, versioned records in RocksDB under DATA_DIR: one record per object (a connection, a
// provider family's settings, and later users, groups, API keys, models, limits), under the key
// "r/<kind>/<id>". Each carries the version that wrote it (storage/hybrid_clock.hpp), and a
// deletion is kept as a tombstone with its version, so writes from several nodes can be ordered
// and merged last-writer-wins. The schema has a version; open() upgrades an older one in place,
// in one atomic batch, by the migrations it is given.
//
// Every record written here, by this node or merged from a peer, also takes the next position
// in this node's change feed ("s/<seq>" -> its key, in the same batch): a peer catches up by
// asking for the changes after the last position it applied (anti-entropy by versions, never a
// full copy). A record overwritten leaves the feed at its old position and takes a new one.
//
// Blocking: call it only from the actors that own its kinds (detached, on their own threads).
// Every write is one WriteBatch with sync=true, so an acknowledged change survives a crash.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/hybrid_clock.hpp"

namespace rocksdb {
class DB;
class WriteBatch;
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

/// A stretch of the change feed: the records at the positions after one asked for, and the last
/// position read (positions of records since overwritten or erased are passed over).
struct feed_page {
  std::vector<record> records;
  std::uint64_t upto = 0;
  bool more = false;  // the page was full: ask again from `upto`
};

/// How far this node applied a peer's feed: the feed's epoch (a new database's feed is a new
/// one, even under the same node name) and the last position.
struct peer_mark {
  std::string epoch;
  std::uint64_t position = 0;
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
  /// `node`, when given, names this node from now on (CLUSTER_NODE_ID); else the name the
  /// database was given when created.
  static std::unique_ptr<record_store> open(const std::string& dir,
                                            const std::vector<migration>& migrations,
                                            std::string& error, const std::string& node = {});
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

  /// Merges records a peer holds, last writer wins: each one is stored unless this node holds
  /// its key at the same or a later version. `peer` (when given) applied its feed up to `mark`,
  /// kept in the same batch. Answers the records stored; nothing and `error` when the database
  /// cannot be written.
  std::optional<std::vector<record>> merge(const std::vector<record>& incoming,
                                           std::string_view peer, const peer_mark& mark,
                                           std::string& error);

  /// The changes after feed position `after`, at most `max_records` of them.
  feed_page changes_after(std::uint64_t after, std::size_t max_records, std::string& error);

  /// The last position of this node's feed.
  std::uint64_t feed_position() const;

  /// How far this node has applied `peer`'s feed (position 0: never).
  peer_mark peer_position(std::string_view peer, std::string& error);

  /// Every peer whose feed this node has applied some of, by name.
  std::vector<std::string> known_peers(std::string& error);

  /// This database's feed epoch: random, made with the feed.
  const std::string& epoch() const { return epoch_; }

  /// Called with the feed's new last position after every write (on the writer's thread, the
  /// writers held back until it returns: keep it to a one-way message).
  void on_change(std::function<void(std::uint64_t)> listener) {
    std::lock_guard lock(write_mutex_);
    listener_ = std::move(listener);
  }

  /// The version of a new write of this node: after every version loaded or written here
  /// (thread-safe: the stores of several actors share this one).
  record_version next_version();

 private:
  record_store(rocksdb::DB* db, std::string node, std::uint64_t feed, std::string epoch);
  std::unique_ptr<rocksdb::DB> db_;
  std::string node_;
  std::mutex clock_mutex_;
  hybrid_clock clock_;
  // Held across each write, so feed positions become visible in order: a peer reading the feed
  // never sees position n+1 before n.
  mutable std::mutex write_mutex_;
  std::uint64_t feed_ = 0;  // the last position given
  std::string epoch_;
  std::function<void(std::uint64_t)> listener_;
  void witness(std::uint64_t stamp);
  bool commit(rocksdb::WriteBatch& batch, std::uint64_t feed, std::string& error);
  // Puts `r` into `batch` at feed position `seq`, dropping the position its key held
  // (`placed`: positions given earlier in the same batch, which the database does not hold yet).
  void place(rocksdb::WriteBatch& batch, const record& r, std::uint64_t seq,
             std::map<std::string, std::uint64_t>& placed);
};

/// The stored form of one record (exposed for tests and migrations).
std::string record_key(std::string_view kind, std::string_view id);
std::string encode_record_value(const record& r, std::uint64_t feed_position = 0);
std::optional<record> decode_record_value(std::string_view kind, std::string_view id,
                                          std::string_view value,
                                          std::uint64_t* feed_position = nullptr);
/// The feed's key for position `seq`: "s/" and 16 hex digits, so keys sort as positions.
std::string feed_key(std::uint64_t seq);

/// A fresh random id of `hex_digits` hex digits (connection ids, node ids).
std::string random_hex_id(std::size_t hex_digits);

/// A fresh random UUID (version 4), as Open WebUI names users and groups.
std::string random_uuid();

}  // namespace sb
