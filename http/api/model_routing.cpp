#include "http/api/model_routing.hpp"

#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

const route_target* pick_target(const model_route& r, std::optional<int> url_idx) {
  if (url_idx) {
    for (auto& t : r.targets)
      if (t.endpoint->spec().key.idx == *url_idx) return &t;
    return nullptr;
  }
  auto n = r.targets.size();
  if (n == 0) return nullptr;
  auto start = r.next.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    auto& t = r.targets[(start + i) % n];
    if (t.endpoint->healthy()) return &t;
  }
  return &r.targets[start % n];
}

namespace {

// The next healthy connection, other than `t`, serving the same upstream model; null when none.
const route_target* alternative(const model_route& route, const route_target* t) {
  for (auto& alt : route.targets)
    if (&alt != t && alt.upstream_model == t->upstream_model && alt.endpoint->healthy())
      return &alt;
  return nullptr;
}

boost::asio::awaitable<handled> relay_failing_over(session_io& s, runtime& rt,
                                                   std::shared_ptr<const catalog_snapshot> catalog,
                                                   const model_route& route,
                                                   const route_target* t, upstream_request up) {
  for (std::size_t tried = 1;; ++tried) {
    const route_target* next = tried < route.targets.size() ? alternative(route, t) : nullptr;
    upstream_request unsent;
    auto answer =
        co_await relay_to_upstream(s, rt, t->endpoint, std::move(up), next ? &unsent : nullptr);
    if (answer.status != 0) co_return answer;
    rt.metrics.failovers.fetch_add(1, std::memory_order_relaxed);
    up = std::move(unsent);
    t = next;
  }
}

}  // namespace

boost::asio::awaitable<handled> relay_with_failover(session_io& s, runtime& rt,
                                                    std::shared_ptr<const catalog_snapshot> catalog,
                                                    const model_route& route,
                                                    const route_target* t,
                                                    upstream_request up, bool fail_over) {
  // With nowhere to fail over to (the common case of one connection per model), the relay itself
  // is the answer: one coroutine frame fewer per request.
  if (!fail_over || !alternative(route, t))
    return relay_to_upstream(s, rt, t->endpoint, std::move(up));
  return relay_failing_over(s, rt, std::move(catalog), route, t, std::move(up));
}

boost::asio::awaitable<handled> answer_error(session_io& s, gateway_error e, std::string message) {
  co_return co_await send_error(s, e, message);
}

}  // namespace sb
