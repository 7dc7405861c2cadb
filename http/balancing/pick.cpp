#include "http/balancing/pick.hpp"

#include <bit>
#include <chrono>
#include <limits>

#include "http/server/io_pool.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "messages/catalog_snapshot.hpp"

namespace sb {

namespace {

// A per-thread generator (splitmix64): cheap, and no state shared between threads.
std::uint64_t next_random() {
  thread_local std::uint64_t state =
      0x9e3779b97f4a7c15ull ^ reinterpret_cast<std::uintptr_t>(&state);
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::size_t below(std::size_t n) { return static_cast<std::size_t>(next_random() % n); }

// The k-th member (from 0) of `set`.
std::size_t nth_member(candidate_set set, std::size_t k) {
  for (; k > 0; --k) set &= set - 1;
  return static_cast<std::size_t>(std::countr_zero(set));
}

std::size_t uniform(candidate_set set) {
  return nth_member(set, below(static_cast<std::size_t>(std::popcount(set))));
}

connection_load& load(const model_route& r, std::size_t i) {
  return r.targets[i].endpoint->load_here();
}

double cost(const model_route& r, std::size_t i, std::chrono::steady_clock::time_point now) {
  auto& l = load(r, i);
  // An unmeasured connection costs as a fast one, so it gets tried (and measured) at once.
  double latency = std::max(l.ewma_at_time(now), 1.0);
  return latency * (l.in_flight.load(std::memory_order_relaxed) + 1);
}

// The member of `set` with the lowest `score`, ties broken at random (reservoir of one).
template <class Score>
std::size_t lowest(const model_route& r, candidate_set set, Score score) {
  std::size_t best = 0, ties = 0;
  double best_score = std::numeric_limits<double>::infinity();
  for (candidate_set s = set; s; s &= s - 1) {
    auto i = static_cast<std::size_t>(std::countr_zero(s));
    double v = score(r, i);
    if (v < best_score) {
      best_score = v;
      best = i;
      ties = 1;
    } else if (v == best_score && below(++ties) == 0) {
      best = i;
    }
  }
  return best;
}

// Each thread turns its own position, started one further along than the previous thread's, so
// that threads taking turns also take turns over the candidates.
std::size_t round_robin(const model_route& r, candidate_set set) {
  int t = io_pool::current_index();
  auto thread = static_cast<std::size_t>(t < 0 ? 0 : t);
  auto& slot = r.rotation[thread % r.rotation.size()];
  auto n = static_cast<std::size_t>(std::popcount(set));
  return nth_member(set, (slot.next.fetch_add(1, std::memory_order_relaxed) + thread) % n);
}

std::size_t weighted(const model_route& r, candidate_set set) {
  std::uint64_t total = 0;
  for (candidate_set s = set; s; s &= s - 1) total += r.targets[std::countr_zero(s)].weight;
  if (total == 0) return uniform(set);  // every weight 0: drained alike, still served
  auto x = next_random() % total;
  for (candidate_set s = set; s; s &= s - 1) {
    auto i = static_cast<std::size_t>(std::countr_zero(s));
    if (x < r.targets[i].weight) return i;
    x -= r.targets[i].weight;
  }
  return static_cast<std::size_t>(std::countr_zero(set));
}

std::size_t two_choices(const model_route& r, candidate_set set) {
  auto n = static_cast<std::size_t>(std::popcount(set));
  if (n == 1) return static_cast<std::size_t>(std::countr_zero(set));
  auto a = below(n), b = below(n - 1);
  if (b >= a) ++b;  // two distinct members
  auto i = nth_member(set, a), j = nth_member(set, b);
  auto now = std::chrono::steady_clock::now();
  return cost(r, j, now) < cost(r, i, now) ? j : i;
}

}  // namespace

candidate_set best_tier(const model_route& route, candidate_set allowed) {
  std::int32_t best = std::numeric_limits<std::int32_t>::max();
  for (candidate_set s = allowed; s; s &= s - 1)
    best = std::min(best, route.targets[std::countr_zero(s)].priority);
  candidate_set tier = 0;
  for (candidate_set s = allowed; s; s &= s - 1) {
    auto i = std::countr_zero(s);
    if (route.targets[i].priority == best) tier |= candidate_set{1} << i;
  }
  return tier;
}

std::size_t pick_candidate(lb_policy policy, const model_route& route, candidate_set allowed) {
  if ((allowed & (allowed - 1)) == 0) return static_cast<std::size_t>(std::countr_zero(allowed));
  switch (policy) {
    case lb_policy::random: return uniform(allowed);
    case lb_policy::round_robin: return round_robin(route, allowed);
    case lb_policy::weighted: return weighted(route, allowed);
    case lb_policy::least_connections:
      return lowest(route, allowed, [](const model_route& r, std::size_t i) {
        return static_cast<double>(load(r, i).in_flight.load(std::memory_order_relaxed));
      });
    case lb_policy::ewma: {
      auto now = std::chrono::steady_clock::now();
      return lowest(route, allowed, [now](const model_route& r, std::size_t i) {
        return load(r, i).ewma_at_time(now);
      });
    }
    case lb_policy::p2c: return two_choices(route, allowed);
    case lb_policy::least_cost: {
      auto now = std::chrono::steady_clock::now();
      return lowest(route, allowed, [now](const model_route& r, std::size_t i) {
        return cost(r, i, now);
      });
    }
    case lb_policy::priority: return static_cast<std::size_t>(std::countr_zero(allowed));
  }
  return static_cast<std::size_t>(std::countr_zero(allowed));
}

}  // namespace sb
