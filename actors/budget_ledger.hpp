#pragma once
// budget_ledger: a cluster's token budgets, exact across nodes (the limits actor holds one).
//
// Each budget (a subject's, in one period) is kept by one node, its owner: the node whose name
// ranks first for the budget by rendezvous hashing among the nodes up. Every gateway incarnation
// (a node's name and a boot id: a restarted node never spends what its previous life was given)
// asks the owner for tokens through its `budget_want` record and spends only what the owner's
// `budget_lease` record confirms it was granted:
//
//   gateway  ──want(asks+1, need)──>  replicated  ──>  owner: grants a chunk of what is left
//   owner    ──lease(granted)──> waits until a majority holds it ──> lease(confirmed = granted)
//   gateway  <── replicated ── its allowance = confirmed, spent through the admit stage's CAS
//
// Only grants held by a majority are spent, and an owner grants only once it has applied every
// peer's feed as it stood after the membership last changed, so a new owner (the old one died)
// knows every grant that may have been spent and never grants the same tokens twice. What a
// dead incarnation was granted and did not spend is lost to the budget (it counts as spent).
// When the owner has nothing left and a gateway waits, the others give back half of what they
// hold unspent, so a budget can be spent to its end wherever its requests arrive.
//
// Records replicate in any order: every count only grows, and each side takes the larger.
// Pure logic over the records and the counters; the limits actor writes and reads the store.
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
};

/// What one round or confirmation asks the limits actor to write.
struct ledger_writes {
  std::vector<std::pair<lease_subject, lease_grants>> leases;  // as owner
  std::vector<std::pair<lease_subject, lease_ask>> wants;    // this incarnation's
  bool empty() const { return leases.empty() && wants.empty(); }
};

/// The owner of a budget among `up` (node names): the first by rendezvous hashing.
std::string budget_owner(const lease_subject& s, const std::vector<std::string>& up);

class budget_ledger {
 public:
  budget_ledger(std::string node, std::string incarnation)
      : node_(std::move(node)), incarnation_(std::move(incarnation)) {}
  const std::string& incarnation() const { return incarnation_; }

  /// A record the store holds (loaded, merged from a peer, or written here).
  void held(const lease_subject& s, const lease_grants& l);
  void held(const lease_subject& s, const std::string& incarnation, const lease_ask& w);

  /// One round over `budgets`: sets each one's allowance, asks for more or gives back as a
  /// gateway, grants as the owner. `spent_before`: tokens spent in the period before a lease
  /// began (read once, when this node starts one).
  ledger_writes round(const std::vector<leased_budget>& budgets, const cluster_view& view,
                      const std::function<std::uint64_t(const lease_subject&)>& spent_before);

  /// The leases `round` wrote are held by a majority (`held`), or could not be (not `held`:
  /// tried again next round).
  ledger_writes settled(const std::vector<std::pair<lease_subject, lease_grants>>& written,
                        bool held, const cluster_view& view);

  /// Forgets budgets of periods before those `budgets` are in.
  void forget_before(const std::vector<leased_budget>& budgets);

 private:
  struct entry {
    lease_subject subject;
    lease_grants lease;
    bool has_lease = false;
    std::map<std::string, lease_ask> wants;  // by incarnation, this one's included
    const limit_counters* paired = nullptr;    // the counters the allowance was set in
    std::uint64_t base = 0;          // confirmed to this incarnation before those counters
    std::uint64_t confirmed_seen = 0;
    std::uint64_t last_grant = 0;    // what the last grant to this incarnation brought
    bool awaiting_majority = false;  // a write of this lease waits for a majority
  };
  std::uint64_t unallocated(const entry& e) const;
  bool others_waiting(const entry& e) const;
  void spend_as_gateway(const leased_budget& b, entry& e, ledger_writes& out);
  void grant_as_owner(const leased_budget& b, entry& e, std::size_t members,
                      const std::function<std::uint64_t(const lease_subject&)>& spent_before,
                      ledger_writes& out);
  std::string node_, incarnation_;
  std::map<std::string, entry> entries_;  // by lease_subject::key()
};

}  // namespace sb
