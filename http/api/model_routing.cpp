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

boost::asio::awaitable<handled> relay_with_failover(session_io& s, runtime& rt,
                                                    const model_route& route,
                                                    const route_target* t,
                                                    const upstream_request& up, bool fail_over) {
  for (std::size_t tried = 1;; ++tried) {
    const route_target* next = nullptr;
    if (fail_over && tried < route.targets.size())
      for (auto& alt : route.targets)
        if (&alt != t && alt.upstream_model == t->upstream_model && alt.endpoint->healthy()) {
          next = &alt;
          break;
        }
    auto r = co_await relay_to_upstream(s, rt, t->endpoint, up, next != nullptr);
    if (!r.unreachable) co_return r.answer;
    rt.metrics.failovers.fetch_add(1, std::memory_order_relaxed);
    t = next;
  }
}

}  // namespace sb
