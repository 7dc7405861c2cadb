#pragma once
// usage_actor: usage accounting. Rolls the metered requests' records up per hour, user, API key,
// model and connection, keeps them in RocksDB for USAGE_RETENTION_DAYS, and answers usage queries.
//
//   I/O threads ──records(batch, one per thread per 200 ms)──> usage_actor ──add (1 s)──> RocksDB
//   GET /api/v1/usage ──usage(query)──> usage_actor (writes what is pending, then reads) ──> rows
//
// Records arrive in batches off the request path (http/server/request_log.hpp); counts pending
// are written at most once a second, in one batch. Runs detached (RocksDB blocks).
#include <chrono>
#include <map>
#include <memory>

#include "http/server/usage_meters.hpp"
#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/usage_store.hpp"

namespace sb {

/// Orders (model, connection) pairs, owned or viewed alike.
struct meter_key_less {
  using is_transparent = void;
  using view = std::pair<std::string_view, std::string_view>;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return view(a.first, a.second) < view(b.first, b.second);
  }
};

struct usage_state {
  std::shared_ptr<usage_store> store;
  std::chrono::hours retention{24 * 90};
  std::map<usage_key, usage_counts, usage_key_less> pending;  // not yet written
  bool flush_armed = false;
  // The meters /metrics shows, by model and connection (null cell: none kept).
  std::map<std::pair<std::string, std::string>, std::shared_ptr<model_meters>, meter_key_less> meters;
  snapshot_cell<usage_meter_table>* published_meters = nullptr;
  static inline const char* name = "usage_actor";
};

/// How often pending counts are written.
inline constexpr std::chrono::milliseconds usage_flush_interval{1'000};

/// The row a metered record adds to (records of requests to no model add to none).
bool usage_of(const request_record& r, usage_key_view& key, usage_counts& counts);

/// Adds up `rows` by the fields `group_by` names, as the usage route answers them.
std::vector<usage_row> group_usage(const std::vector<usage_row>& rows, std::uint8_t group_by);

usage_actor::behavior_type usage_actor_impl(usage_actor::stateful_pointer<usage_state> self,
                                            std::shared_ptr<usage_store> store,
                                            std::chrono::hours retention,
                                            snapshot_cell<usage_meter_table>* meters);

}  // namespace sb
