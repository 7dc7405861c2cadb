#pragma once
// The gateway configuration, durable in the record store (storage/record_store.hpp) as one record
// per provider family and one per connection (storage/config_records.hpp). Blocking: call it only
// from the config actor (detached, on its own thread) or before the actors start.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "messages/config_types.hpp"
#include "storage/hybrid_clock.hpp"
#include "storage/record_store.hpp"

namespace sb {

/// The database in `dir`, upgraded to the current schema with every migration there is: what
/// the gateway's stores (config, accounts) share. Null and `error` when it cannot be opened.
/// `node` (CLUSTER_NODE_ID), when given, names this node from now on.
std::shared_ptr<record_store> open_record_store(const std::string& dir, std::string& error,
                                                const std::string& node = {});

class config_store {
 public:
  /// Opens (creating if needed) the database in `dir`, upgrading a database an older release
  /// wrote. Fails with a readable error when the directory is unusable, the database is corrupt,
  /// or it was written by a newer schema.
  static std::unique_ptr<config_store> open(const std::string& dir, std::string& error);
  /// The configuration in a store shared with others (open_record_store).
  explicit config_store(std::shared_ptr<record_store> records);

  ~config_store();

  /// The stored configuration, if one was ever saved. Sets `error` on a corrupt record.
  std::optional<gateway_config> load(std::string& error);

  /// Stores `cfg` durably: the records that changed since the last load or save, stamped with
  /// their family's version, and tombstones for connections no longer there. False and `error`
  /// on failure.
  bool save(const gateway_config& cfg, std::string& error);

  /// A stamp for a new write: after every stamp stored here.
  std::uint64_t tick() { return records_->next_version().stamp; }
  const std::string& node() const { return records_->node(); }

 private:
  std::shared_ptr<record_store> records_;
  std::map<std::string, record> written_;  // by record_key: what the database holds (live)
};

}  // namespace sb
