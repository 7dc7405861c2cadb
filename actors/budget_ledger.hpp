#pragma once
// budget_ledger: a cluster's token budgets, exact across nodes (the limits actor holds one).
//
// Each budget (a subject's, in one period) is kept by one node, its keeper: the node whose name
// ranks first for the budget by rendezvous hashing among the nodes up. Every gateway incarnation
// (a node's name and its boot: a restarted node never spends what its previous life was given)
// asks the keeper for tokens through its `budget_want` record and spends only what keepers'
// `budget_lease` records confirm it was granted:
//
//   gateway ──want(asks+1, need)──> replicated ──> keeper: grants a chunk of what is left
//   keeper  ──its lease(granted)──> waits until a majority holds it ──> lease(confirmed)
//   gateway <── replicated ── its allowance = what every keeper confirmed it, spent through the
//                             admit stage's compare-and-swap
//
// Only grants a majority holds are spent, and a keeper grants only once it has applied every
// peer's feed as it stood after the membership last changed, so a new keeper (the last one died)
// knows every grant that may have been spent and never grants the same tokens twice. Each
// keeper writes its own record, so no keeper's write hides another's. A keeper confirms only
// what it granted while keeping the budget without a break; a grant left unconfirmed (its
// keeper died or lost the budget first), and what a dead incarnation held unspent, are lost to
// the budget (they count as spent). When nothing is left to grant and a gateway waits, the
// others give back half of what they hold unspent, so a budget can be spent to its end wherever
// its requests arrive.
//
// Records replicate in any order: each has one writer and its counts only grow, so each side
// takes the larger. Pure logic over the records and the counters; the limits actor writes and
// reads the store.
//
// Not fenced: when links break asymmetrically (A and B each see C but not each other), two
// nodes may each keep the same budget for as long as that lasts, and grant the same tokens.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/cluster_types.hpp"
#include "messages/limit_types.hpp"
#include "storage/lease_store.hpp"

namespace sb {

/// A budget the limits table holds now, in the current period.
struct leased_budget {
  lease_subject subject;
  std::uint64_t budget = 0;
  std::shared_ptr<limit_counters> counters;
  std::string key = subject.key();
};

/// What one round or confirmation asks the limits actor to write.
struct ledger_writes {
  std::vector<std::pair<lease_subject, lease_grants>> leases;  // this node's, as keeper
  std::vector<std::pair<lease_subject, lease_ask>> wants;      // this incarnation's
  bool empty() const { return leases.empty() && wants.empty(); }
};

/// The keeper of a budget among `up` (node names): the first by rendezvous hashing.
std::string budget_owner(std::string_view key, const std::vector<std::string>& up);
inline std::string budget_owner(const lease_subject& s, const std::vector<std::string>& up) {
  return budget_owner(s.key(), up);
}

/// "<node>~<boot, 16 hex digits>": a later boot sorts after. `boot`: a hybrid-clock stamp taken
/// after the store was read, so it is above every stamp this node wrote before, whatever the
/// wall clock did.
std::string incarnation_name(const std::string& node, std::uint64_t boot);

class budget_ledger {
 public:
  budget_ledger(std::string node, std::string incarnation)
      : node_(std::move(node)), incarnation_(std::move(incarnation)) {}
  const std::string& node() const { return node_; }
  const std::string& incarnation() const { return incarnation_; }

  /// A record the store holds (loaded, merged from a peer, or written here).
  void held_lease(const lease_subject& s, const std::string& keeper, const lease_grants& l);
  void held_want(const lease_subject& s, const std::string& incarnation, const lease_ask& w);

  /// The nodes up changed (or not): a change ends every keeping, so that a grant made before
  /// it is never confirmed after it (another node may have kept the budget meanwhile).
  void membership(const cluster_view& view);

  /// One round over `budgets`: sets each one's allowance, asks for more or gives back as a
  /// gateway, grants as the keeper. `spent_before`: tokens spent in the period before the first
  /// lease (read once, when a budget's first keeper starts).
  ledger_writes round(const std::vector<leased_budget>& budgets, const cluster_view& view,
                      const std::function<std::uint64_t(const lease_subject&)>& spent_before);

  /// This node's leases `round` wrote are held by a majority (`held`), or could not be (tried
  /// again next round).
  ledger_writes settled(const std::vector<std::pair<lease_subject, lease_grants>>& written,
                        bool held, const cluster_view& view);

  /// Writes that could not be stored: wants are written again next round, leases retried.
  void unsaved(const ledger_writes& w, const cluster_view& view);

  /// Forgets budgets of periods before those `budgets` are in.
  void forget_before(const std::vector<leased_budget>& budgets);

 private:
  struct entry {
    lease_subject subject;
    std::map<std::string, lease_grants> leases;  // by keeper node
    std::map<std::string, lease_ask> wants;      // by incarnation, this one's included
    // As a gateway.
    std::uint64_t paired_epoch = 0;  // the counters' budget_epoch the allowance counts from
    std::uint64_t base = 0;          // confirmed to this incarnation before that epoch
    std::uint64_t spent_base = 0;    // the counters' count in this period at that epoch
    std::uint64_t budget_seen = 0;   // the budget's tokens at the last round
    std::uint64_t confirmed_seen = 0;
    std::uint64_t last_grant = 0;    // what the last grant to this incarnation brought
    bool want_unsaved = false;
    // As keeper.
    std::uint64_t stint = 0;  // this keeping without a break (0: not keeping it)
    std::map<std::string, std::uint64_t> pending;    // granted in this stint, not confirmed
    std::map<std::string, std::uint64_t> in_flight;  // the part of it waiting for a majority
    std::uint64_t in_flight_stint = 0;
    bool awaiting = false;
    bool lease_unsaved = false;  // this node's record as held here is not stored yet
  };
  std::uint64_t confirmed_to(const entry& e, const std::string& incarnation) const;
  std::uint64_t answered_for(const entry& e, const std::string& incarnation) const;
  std::uint64_t unallocated(const entry& e, std::uint64_t budget) const;
  bool live(const entry& e, const std::string& incarnation, const cluster_view& view) const;
  bool others_waiting(const entry& e, const cluster_view& view,
                      bool ranked_before_only = false) const;
  std::uint64_t others_holding(const entry& e, const cluster_view& view) const;
  std::uint64_t set_allowance(const leased_budget& b, entry& e, std::uint64_t spent,
                              bool& granted_now);
  void spend_as_gateway(const leased_budget& b, entry& e, const cluster_view& view,
                        ledger_writes& out);
  void keep(const leased_budget& b, entry& e, const cluster_view& view,
            const std::function<std::uint64_t(const lease_subject&)>& spent_before,
            ledger_writes& out);
  std::string node_, incarnation_;
  std::map<std::string, entry> entries_;  // by lease_subject::key()
  std::uint64_t stints_ = 0;
  std::vector<std::string> last_up_;
};

}  // namespace sb
