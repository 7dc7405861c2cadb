#include "http/router.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/auth.hpp"
#include "http/chat_request.hpp"
#include "http/config_json.hpp"
#include "http/cross_site_guard.hpp"
#include "http/metrics_text.hpp"
#include "http/upstream_endpoint.hpp"
#include "http/upstream_relay.hpp"

namespace sb {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

// Picks the next healthy connection serving the model, round-robin; when none is healthy, the
// next one anyway (health is a hint from the last probe, the request itself is the real test).
const route_target* pick_target(const model_route& r) {
  auto n = r.targets.size();
  if (n == 0) return nullptr;
  auto start = r.next.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    auto& t = r.targets[(start + i) % n];
    if (t.endpoint->healthy()) return &t;
  }
  return &r.targets[start % n];
}

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

net::awaitable<handled> router::dispatch(session_io& s, client_request& req, route_id& route) {
  auto target = std::string_view(req.target());
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  auto method = req.method();
  bool get = method == http::verb::get || method == http::verb::head;

  if (target == "/health" || target == "/ollama" || target == "/ollama/") {
    route = route_id::health;
    if (!get)
      co_return co_await send_error(s, gateway_error::method_not_allowed, "Method Not Allowed");
    co_return co_await send_body(s, http::status::ok, R"({"status":true})");
  }
  if (target == "/metrics") {
    route = route_id::metrics;
    if (!get)
      co_return co_await send_error(s, gateway_error::method_not_allowed, "Method Not Allowed");
    co_return co_await send_body(s, http::status::ok, render_metrics(rt_),
                                 "text/plain; version=0.0.4; charset=utf-8");
  }

  route = target == "/openai/models"             ? route_id::openai_models
          : target == "/openai/chat/completions" ? route_id::openai_chat
          : target == "/openai/config"           ? route_id::openai_config
          : target == "/openai/config/update"    ? route_id::openai_config_update
                                                 : route_id::other;
  if (route == route_id::other)
    co_return co_await send_error(s, gateway_error::not_found, "Not Found");

  auto who = authenticate(req, rt_.cfg);
  if (!who) co_return co_await send_error(s, gateway_error::unauthorized, "Not authenticated");

  switch (route) {
    case route_id::openai_models:
      if (!get)
        co_return co_await send_error(s, gateway_error::method_not_allowed, "Method Not Allowed");
      co_return co_await send_body(s, http::status::ok, rt_.catalog.load()->openai_models_body);
    case route_id::openai_chat:
      if (method != http::verb::post)
        co_return co_await send_error(s, gateway_error::method_not_allowed, "Method Not Allowed");
      co_return co_await openai_chat(s, req);
    case route_id::openai_config:
      if (!get)
        co_return co_await send_error(s, gateway_error::method_not_allowed, "Method Not Allowed");
      if (who->level != role::admin)
        co_return co_await send_error(s, gateway_error::forbidden, "Access prohibited");
      co_return co_await send_body(s, http::status::ok,
                                   render_openai_config(rt_.config.load()->openai));
    case route_id::openai_config_update:
      if (method != http::verb::post)
        co_return co_await send_error(s, gateway_error::method_not_allowed, "Method Not Allowed");
      if (who->level != role::admin)
        co_return co_await send_error(s, gateway_error::forbidden, "Access prohibited");
      if (auto refused = refuse_cross_site(req, rt_.cfg.browser_hosts()))
        co_return co_await send_error(s, refused->error, refused->message);
      co_return co_await openai_config_update(s, req);
    default:
      break;
  }
  co_return co_await send_error(s, gateway_error::not_found, "Not Found");
}

net::awaitable<handled> router::openai_chat(session_io& s, client_request& req) {
  chat_request_view view;
  if (auto problem = parse_chat_request(req.body(), view); !problem.empty())
    co_return co_await send_error(s, gateway_error::bad_request, problem);
  auto catalog = rt_.catalog.load();
  auto it = catalog->openai.find(std::string_view(view.model));
  if (it == catalog->openai.end())
    co_return co_await send_error(s, gateway_error::model_not_found, "Model not found");
  const model_route& route = it->second;
  const route_target* t = pick_target(route);
  if (!t) co_return co_await send_error(s, gateway_error::model_not_found, "Model not found");
  if (t->upstream_model != view.model) replace_model(req.body(), view, t->upstream_model);

  upstream_request up;
  up.path = "/chat/completions";
  up.accept = std::string(req[http::field::accept]);
  up.body = std::move(req.body());
  // Failover: a connection that cannot be reached (nothing was sent, so nothing is repeated)
  // hands the request to the next healthy one serving the same upstream model.
  for (std::size_t tried = 1;; ++tried) {
    const route_target* next = nullptr;
    if (tried < route.targets.size())
      for (auto& alt : route.targets)
        if (&alt != t && alt.upstream_model == t->upstream_model && alt.endpoint->healthy()) {
          next = &alt;
          break;
        }
    auto r = co_await relay_to_upstream(s, rt_, t->endpoint, up, next != nullptr);
    if (!r.unreachable) co_return r.answer;
    rt_.metrics.failovers.fetch_add(1, std::memory_order_relaxed);
    t = next;
  }
}

net::awaitable<handled> router::openai_config_update(session_io& s, client_request& req) {
  std::string error;
  auto current = rt_.config.load();
  auto next = parse_openai_config_update(req.body(), current->openai,
                                         rt_.cfg.allow_link_local_upstreams, error);
  if (!next) co_return co_await send_error(s, gateway_error::bad_request, error);

  // The config actor answers on its own thread; the answer is posted back to this session's
  // thread. Admin writes are rare, so this one cross-thread round trip is off the hot path.
  auto [applied, why] = co_await async_update_provider(cp_, provider_kind::openai, std::move(*next),
                                                       net::use_awaitable);
  if (!applied) {
    co_return co_await send_error(s, gateway_error::internal,
                                  "could not store the configuration: " + why);
  }
  rt_.metrics.config_updates.fetch_add(1, std::memory_order_relaxed);
  co_return co_await send_body(s, http::status::ok, render_openai_config(applied->openai));
}

}  // namespace sb
