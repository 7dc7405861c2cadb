#pragma once
// Load-balancing policies: which of the connections serving a model gets a request. A policy sees
// the candidates (route_target: the connection, its weight and priority) and this I/O thread's
// view of each one's load (connection_load); it writes nothing another thread writes, so picking
// costs no cache-line transfer between threads.
//
// Every policy first keeps the best priority tier that has a candidate (a lower `priority` value
// serves alone while any of its members is usable; the next tier only when none is). Within it:
//  - random:            uniformly at random (Open WebUI's random.choice).
//  - round_robin:       each in turn (per model, per I/O thread).
//  - weighted:          at random, in proportion to each connection's `weight`.
//  - least_connections: fewest requests in flight (ties at random).
//  - ewma:              lowest peak-EWMA of time to first byte (ties at random).
//  - p2c:               two distinct ones at random; the lower (in flight + 1) x peak-EWMA wins.
//  - priority:          the first in connection order (active/standby).
//  - least_cost:        the lowest (in flight + 1) x peak-EWMA of them all (ties at random): p2c's
//                       score without its sampling, which with two bad replicas in six still
//                       picks a bad one for one request in fifteen (a model has few connections,
//                       so scanning them all costs a few nanoseconds).
#include <cstddef>
#include <cstdint>

#include "config/lb_policy.hpp"

namespace sb {

struct model_route;

/// The candidates a policy may pick from: bit i is route.targets[i]. A model uses at most 64
/// connections (any more are never picked).
using candidate_set = std::uint64_t;

/// The members of `allowed` in its best (lowest `priority` value) tier.
candidate_set best_tier(const model_route& route, candidate_set allowed);

/// Picks one of `allowed` (not empty) under `policy`: an index into `route.targets`.
std::size_t pick_candidate(lb_policy policy, const model_route& route, candidate_set allowed);

}  // namespace sb
