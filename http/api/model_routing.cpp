#include "http/api/model_routing.hpp"

#include "http/api/reasoning_rules.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <bit>

#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_error.hpp"

namespace sb {

namespace {

constexpr std::size_t max_candidates = 64;  // bits of a candidate_set

candidate_set bit(std::size_t i) { return candidate_set{1} << i; }

std::size_t index_of(const model_route& r, const route_target* t) {
  return static_cast<std::size_t>(t - r.targets.data());
}

// Whether a body shaped for `a` suits `b`: the per-host rules (reasoning models on
// api.openai.com or not, Azure's) were applied for the first connection only.
bool same_body_rules(const upstream_endpoint& a, const upstream_endpoint& b) {
  return reasoning_host_of(a) == reasoning_host_of(b);
}

// The candidates that may take a retry of a request first sent to `first`: those serving the
// same upstream model (the body already names it) under the same body rules.
candidate_set same_model(const model_route& r, const route_target* first) {
  candidate_set set = 0;
  for (std::size_t i = 0; i < r.targets.size() && i < max_candidates; ++i)
    if (r.targets[i].upstream_model == first->upstream_model &&
        same_body_rules(*r.targets[i].endpoint, *first->endpoint))
      set |= bit(i);
  return set;
}

// The members of `among` whose connection is healthy, and those that may still be used when none
// is: reachable and not throttled (a connection that said Retry-After is left alone while it
// runs, whatever else is down).
void split_by_health(const model_route& r, candidate_set among, candidate_set& healthy,
                     candidate_set& usable) {
  healthy = usable = 0;
  for (candidate_set s = among; s; s &= s - 1) {
    auto i = static_cast<std::size_t>(std::countr_zero(s));
    auto& t = r.targets[i];
    if (t.endpoint->throttled_for(t.upstream_model)) continue;
    if (t.endpoint->healthy()) healthy |= bit(i);
    if (t.endpoint->reachable()) usable |= bit(i);
  }
}

// The members of `among` that a request may still go to: reachable, the model not throttled.
candidate_set usable_of(const model_route& r, candidate_set among) {
  candidate_set healthy, usable;
  split_by_health(r, among, healthy, usable);
  return usable;
}

const route_target* pick_among(const model_route& r, candidate_set among) {
  candidate_set healthy, usable;
  split_by_health(r, among, healthy, usable);
  if (healthy) usable = healthy;
  if (!usable) return nullptr;
  return &r.targets[pick_candidate(r.policy, r, best_tier(r, usable))];
}

// Where a request handed back goes next among `left` (usable when the retry was offered); null
// when every one of them turned throttled or unreachable meanwhile. Not in the coroutine: g++ 12
// mishandles some temporaries there.
const route_target* next_attempt(runtime& rt, const model_route& route, const route_target* t,
                                 const handed_back& back, candidate_set left) {
  auto next = pick_among(route, left);
  if (!next) return nullptr;
  rt.metrics.failovers.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("{} {}; retrying on {}", connection_name(*t->endpoint),
                back.status ? fmt::format("answered {}", back.status)
                            : std::string("failed before answering"),
                connection_name(*next->endpoint));
  return next;
}

boost::asio::awaitable<handled> relay_failing_over(session_io& s, runtime& rt,
                                                   std::shared_ptr<const catalog_snapshot> catalog,
                                                   const model_route& route,
                                                   const route_target* t, upstream_request up) {
  const auto deadline = std::chrono::steady_clock::now() + rt.cfg.retry_deadline;
  const candidate_set retryable = same_model(route, t);
  candidate_set tried = bit(index_of(route, t));
  for (unsigned attempt = 1;; ++attempt) {
    // Whether a failure could go elsewhere: an untried candidate that may take it (reachable,
    // the model not throttled there), and budget for it. Otherwise this attempt's answer, its
    // own 5xx or 429 included, is the client's.
    bool may_retry = attempt < rt.cfg.retry_max_attempts &&
                     std::chrono::steady_clock::now() < deadline &&
                     usable_of(route, retryable & ~tried) != 0;
    handed_back back;
    handed_back* give_back = may_retry ? &back : nullptr;
    auto answer = co_await relay_to_upstream(s, rt, t->endpoint, std::move(up), give_back);
    if (answer.status != 0) co_return answer;
    auto next = next_attempt(rt, route, t, back, retryable & ~tried);
    if (!next) co_return co_await answer_all_down(s, route, std::move(back.request.model));
    up = std::move(back.request);
    t = next;
    tried |= bit(index_of(route, t));
  }
}

}  // namespace

const route_target* pick_target(const model_route& r, std::optional<int> url_idx,
                                candidate_set tried) {
  if (url_idx) {
    for (auto& t : r.targets)
      if (t.endpoint->key().idx == *url_idx) return &t;
    return nullptr;
  }
  auto n = std::min(r.targets.size(), max_candidates);
  if (n == 0) return nullptr;
  if (n == 1) {
    auto& t = r.targets[0];
    bool usable = !tried && t.endpoint->reachable() && !t.endpoint->throttled_for(t.upstream_model);
    return usable ? &t : nullptr;
  }
  candidate_set all = n == max_candidates ? ~candidate_set{0} : bit(n) - 1;
  return pick_among(r, all & ~tried);
}

boost::asio::awaitable<handled> relay_with_failover(session_io& s, runtime& rt,
                                                    std::shared_ptr<const catalog_snapshot> catalog,
                                                    const model_route& route,
                                                    const route_target* t,
                                                    upstream_request up, bool fail_over) {
  // With nowhere to fail over to (the common case of one connection per model), the relay itself
  // is the answer: one coroutine frame fewer per request.
  if (!fail_over || route.targets.size() < 2 || rt.cfg.retry_max_attempts < 2)
    return relay_to_upstream(s, rt, t->endpoint, std::move(up));
  return relay_failing_over(s, rt, std::move(catalog), route, t, std::move(up));
}

boost::asio::awaitable<handled> answer_throttled(session_io& s, const model_route& route,
                                                 std::string model) {
  std::string names;
  auto soonest = std::chrono::milliseconds::max();
  for (auto& t : route.targets) {
    if (!t.endpoint->reachable()) continue;  // its time says nothing of when to come back
    auto left = t.endpoint->throttle_left(t.upstream_model);
    if (left.count() == 0) continue;
    soonest = std::min(soonest, left);
    if (!names.empty()) names += ", ";
    names += connection_name(*t.endpoint);
  }
  if (soonest == std::chrono::milliseconds::max()) soonest = std::chrono::milliseconds(1000);
  auto seconds = (soonest.count() + 999) / 1000;
  co_return co_await send_error(
      s, gateway_error::upstreams_throttled,
      fmt::format("every connection serving '{}' is rate limited ({}); retry after {} s", model,
                  names, seconds),
      fmt::format("Retry-After: {}\r\n", seconds));
}

boost::asio::awaitable<handled> answer_all_down(session_io& s, const model_route& route,
                                                std::string model) {
  // Throttled: every reachable holder of the model said 429 and its time runs.
  bool throttled = false;
  for (auto& t : route.targets) {
    if (!t.endpoint->reachable()) continue;
    if (!t.endpoint->throttled_for(t.upstream_model))
      return answer_unreachable_all(s, route, std::move(model));
    throttled = true;
  }
  if (throttled) return answer_throttled(s, route, std::move(model));
  return answer_unreachable_all(s, route, std::move(model));
}

boost::asio::awaitable<handled> answer_unreachable_all(session_io& s, const model_route& route,
                                                       std::string model) {
  std::string names;
  for (auto& t : route.targets) {
    if (!names.empty()) names += ", ";
    names += connection_name(*t.endpoint);
  }
  co_return co_await send_error(
      s, gateway_error::upstreams_down,
      fmt::format("every connection serving '{}' is unreachable ({}); retry shortly", model,
                  names));
}

boost::asio::awaitable<handled> answer_error(session_io& s, gateway_error e, std::string message) {
  co_return co_await send_error(s, e, message);
}

}  // namespace sb
