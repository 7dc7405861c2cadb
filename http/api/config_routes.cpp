#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "http/api/config_json.hpp"
#include "http/api/handlers.hpp"
#include "http/server/runtime.hpp"
#include "messages/control_plane.hpp"

namespace sb {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

// Asks the control plane for a config change and completes on the caller's executor. A plain
// function, not a coroutine: g++ 12 mis-moves init-captures of lambdas written inside coroutines.
using update_outcome = std::pair<std::optional<gateway_config>, std::string>;

struct update_initiation {
  control_plane* cp;
  template <class Handler>
  void operator()(Handler&& handler, provider_kind kind, provider_config cfg) const {
    auto ex = net::get_associated_executor(handler);
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    auto work = net::make_work_guard(ex);
    cp->update_provider(
        kind, std::move(cfg),
        [h, ex, work](std::optional<gateway_config> applied, std::string error) {
          net::post(ex, [h, o = update_outcome{std::move(applied), std::move(error)}]() mutable {
            (*h)(std::move(o));
          });
        });
  }
};

template <class Token>
auto async_update_provider(control_plane& cp, provider_kind kind, provider_config cfg,
                           Token&& token) {
  return net::async_initiate<Token, void(update_outcome)>(update_initiation{&cp}, token, kind,
                                                          std::move(cfg));
}

}  // namespace

route_result openai_config(api_context& ctx, session_io& s, client_request&) {
  co_return co_await send_body(s, http::status::ok,
                               render_openai_config(ctx.rt.config.load()->openai));
}

route_result openai_config_update(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto current = ctx.rt.config.load();
  auto next = parse_openai_config_update(req.body(), current->openai,
                                         ctx.rt.cfg.allow_link_local_upstreams, error);
  if (!next) co_return co_await send_error(s, gateway_error::bad_request, error);

  // The config actor answers on its own thread; the answer is posted back to this session's
  // thread. Admin writes are rare, so this one cross-thread round trip is off the hot path.
  auto [applied, why] = co_await async_update_provider(ctx.cp, provider_kind::openai, std::move(*next),
                                                       net::use_awaitable);
  if (!applied) {
    co_return co_await send_error(s, gateway_error::internal,
                                  "could not store the configuration: " + why);
  }
  ctx.rt.metrics.config_updates.fetch_add(1, std::memory_order_relaxed);
  co_return co_await send_body(s, http::status::ok, render_openai_config(applied->openai));
}

}  // namespace sb
