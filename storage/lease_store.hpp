#pragma once
// Budget leases as keyed, versioned records (storage/record_store.hpp), replicated like the rest:
//
//   kind "budget_lease", id "<period>/<index>/<owner node>/<scope>/<subject>": written by a node
//     while it keeps the budget (actors/budget_ledger.hpp), one record per keeper so that no
//     keeper's write ever hides another's: the tokens it granted each gateway incarnation, and
//     how much of that a majority of the cluster held (only that may be spent).
//   kind "budget_want", id "<period>/<index>/<incarnation>/<scope>/<subject>": written by each
//     gateway incarnation for itself: how often it asked for more, for how many tokens, what it
//     gave back, and what it held unspent when it last wrote.
//
// A record has one writer, and its counts only grow (but `holding`), so two versions merge by
// taking the larger of each, whatever order they arrive in. Blocking: the limits actor's alone.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/limit_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

/// Which budget, in which period: the part of both record ids they share.
struct lease_subject {
  budget_period period = budget_period::month;
  std::uint64_t index = 0;  // config/limit_rules.hpp period_index
  limit_scope scope = limit_scope::user;
  std::string id;
  std::string key() const;  // "<period>/<index>/<scope>/<id>"
  friend bool operator==(const lease_subject&, const lease_subject&) = default;
};

/// A keeper's record: tokens by gateway incarnation ("<node>~<boot time><random>").
struct lease_grants {
  std::uint64_t budget = 0;  // the budget's tokens, as the keeper last read the rule
  std::uint64_t base = 0;    // tokens spent in the period before the first lease (usage rows)
  std::map<std::string, std::uint64_t> granted;    // given, durable on a majority or not yet
  std::map<std::string, std::uint64_t> confirmed;  // given and held by a majority: spendable
  std::map<std::string, std::uint64_t> answered;   // the last ask of each that was answered
  /// Takes the larger of each count.
  void absorb(const lease_grants& other);
  friend bool operator==(const lease_grants&, const lease_grants&) = default;
};

/// One incarnation's record.
struct lease_ask {
  std::uint64_t asks = 0;      // grows by one with each ask
  std::uint64_t need = 0;      // tokens the last ask needs at least (0: a chunk)
  std::uint64_t released = 0;  // tokens of its grants it gave back, never to be spent
  std::uint64_t holding = 0;   // tokens it held unspent when it wrote (the last write's)
  std::uint64_t writes = 0;    // grows with each write: which version is the last
  void absorb(const lease_ask& other);
  friend bool operator==(const lease_ask&, const lease_ask&) = default;
};

inline constexpr std::string_view lease_kind = "budget_lease";
inline constexpr std::string_view want_kind = "budget_want";

/// "<period>/<index>/<writer>/<scope>/<subject>": a keeper's lease (writer: its node name) or an
/// incarnation's want (writer: the incarnation).
std::string lease_record_id(const lease_subject& s, std::string_view writer);
/// The subject and writer a record's id names.
std::optional<std::pair<lease_subject, std::string>> lease_record_subject(std::string_view id);

std::string encode_lease(const lease_grants& l);
std::string encode_want(const lease_ask& w);
bool decode_lease(std::string_view data, lease_grants& out);
bool decode_want(std::string_view data, lease_ask& out);
/// A replicated record of either kind reads (for the cluster's checks on peers' records).
bool lease_record_reads(const record& r);

class lease_store {
 public:
  explicit lease_store(std::shared_ptr<record_store> records) : records_(std::move(records)) {}
  /// Calls `lease` (with its keeper) and `want` (with its incarnation) with every stored record
  /// of each kind that reads.
  bool load(const std::function<void(const lease_subject&, const std::string& keeper,
                                     lease_grants)>& lease,
            const std::function<void(const lease_subject&, const std::string& incarnation,
                                     lease_ask)>& want,
            std::string& error);
  /// Writes this node's leases and this incarnation's wants in one durable batch.
  bool write(const std::vector<std::pair<lease_subject, lease_grants>>& leases,
             const std::vector<std::pair<lease_subject, lease_ask>>& wants,
             std::string_view node, std::string_view incarnation, std::string& error);
  record_store& records() { return *records_; }

 private:
  std::shared_ptr<record_store> records_;
};

}  // namespace sb
