#include "http/api/list_refresh.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/upstream/upstream_endpoint.hpp"
#include "messages/control_plane.hpp"

namespace sb {

namespace net = boost::asio;

namespace {

constexpr auto poll_every = std::chrono::milliseconds(10);

// Polls `done` on this thread's timer until it holds or list_refresh_wait passes: a management
// call is rare, and a poll costs nothing on the request path.
template <class Done>
net::awaitable<void> wait_until(Done done) {
  auto deadline = std::chrono::steady_clock::now() + list_refresh_wait;
  net::steady_timer t(co_await net::this_coro::executor);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(poll_every);
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

struct fetched_after {
  const upstream_endpoint* ep;
  std::uint64_t after;
  bool operator()() const { return ep->list_fetch_applied() > after; }
};

struct none_pending {
  const catalog_snapshot* catalog;
  provider_kind kind;
  bool operator()() const {
    for (auto& ep : catalog->upstreams)
      if (ep->key().kind == kind && ep->list_refresh_pending()) return false;
    return true;
  }
};

}  // namespace

bool lists_pending(const catalog_snapshot& catalog, provider_kind kind) {
  return !none_pending{&catalog, kind}();
}

void refresh_list(api_context& ctx, upstream_endpoint& ep) {
  ep.ask_list_refresh();
  ctx.cp.refresh_models(ep.key().kind, ep.key().idx);
}

net::awaitable<void> refresh_list_and_wait(api_context& ctx, upstream_endpoint& ep) {
  auto after = ep.ask_list_refresh();
  ctx.cp.refresh_models(ep.key().kind, ep.key().idx);
  fetched_after fetched{&ep, after};
  co_await wait_until(fetched);
}

net::awaitable<bool> wait_for_pending_lists(const catalog_snapshot& catalog, provider_kind kind) {
  none_pending check{&catalog, kind};
  if (check()) co_return false;
  co_await wait_until(check);
  co_return true;
}

}  // namespace sb
