#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include <boost/json.hpp>

#include "config/masked_echo.hpp"
#include "config/secret_fields.hpp"
#include "http/api/config_json.hpp"
#include "http/api/entity_tag.hpp"
#include "http/server/errors.hpp"
#include "http/server/field_value.hpp"
#include "http/upstream/providers/provider_adapter.hpp"
#include "http/upstream/upstream_address_policy.hpp"
#include "http/upstream/upstream_call.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_error.hpp"
#include "http/api/handlers.hpp"
#include "http/api/shared_flight.hpp"
#include "http/server/runtime.hpp"
#include "messages/control_plane.hpp"

namespace sb {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

// Asks the control plane for a config change and completes on the caller's executor. A plain
// function, not a coroutine: g++ 12 mis-moves init-captures of lambdas written inside coroutines.
struct update_initiation {
  control_plane* cp;
  template <class Handler>
  void operator()(Handler&& handler, provider_kind kind, std::string form,
                  std::vector<std::uint64_t> if_match) const {
    auto ex = net::get_associated_executor(handler);
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    auto work = net::make_work_guard(ex);
    cp->update_provider(kind, std::move(form), std::move(if_match),
                        [h, ex, work](config_update_result r) {
                          net::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
                        });
  }
};

template <class Token>
auto async_update_provider(control_plane& cp, provider_kind kind, std::string form,
                           std::vector<std::uint64_t> if_match, Token&& token) {
  return net::async_initiate<Token, void(config_update_result)>(
      update_initiation{&cp}, token, kind, std::move(form), std::move(if_match));
}

const provider_config& family(const gateway_config& cfg, provider_kind kind) {
  return kind == provider_kind::openai ? cfg.openai : cfg.ollama;
}

std::string etag_line(const provider_config& p) {
  return "ETag: " + entity_tag(p.version) + "\r\n";
}

route_result config_of(api_context& ctx, session_io& s, provider_kind kind) {
  auto cfg = ctx.rt.config.load();
  auto& p = family(*cfg, kind);
  co_return co_await send_body(s, http::status::ok, render_provider_config(kind, p),
                               "application/json", etag_line(p));
}

// The 412 of an edit made from an old version: why, and the family as it is now (masked), with
// its ETag, so the admin can redo the edit on top of it.
std::string conflict_body(provider_kind kind, const provider_config& now) {
  auto message = "the configuration changed since the version this edit names (If-Match); "
                 "it is now at version " + entity_tag(now.version) + ": read it again and redo "
                 "the edit";
  auto body = boost::json::parse(error_body(gateway_error::precondition_failed, message));
  body.as_object()["current"] = boost::json::parse(render_provider_config(kind, now));
  return boost::json::serialize(body);
}

route_result update_config(api_context& ctx, session_io& s, client_request& req,
                           provider_kind kind) {
  std::optional<std::string_view> if_match;
  if (auto v = field_value(req, http::field::if_match); !v.empty()) if_match = v;
  // The form is read by the config actor, against the configuration it holds (masks resolved
  // there); the answer is posted back to this session's thread. Admin writes are rare, so this one
  // cross-thread round trip is off the hot path.
  auto r = co_await async_update_provider(ctx.cp, kind, std::move(req.body()),
                                          if_match_versions(if_match), net::use_awaitable);
  auto& now = family(r.config, kind);
  switch (r.outcome) {
    case update_outcome::applied:
      ctx.rt.metrics.config_updates.fetch_add(1, std::memory_order_relaxed);
      co_return co_await send_body(s, http::status::ok, render_provider_config(kind, now),
                                   "application/json", etag_line(now));
    case update_outcome::conflict:
      co_return co_await send_body(s, http::status::precondition_failed, conflict_body(kind, now),
                                   "application/json", etag_line(now));
    case update_outcome::invalid:
      co_return co_await send_error(s, gateway_error::bad_request, r.error);
    case update_outcome::failed:
      break;
  }
  co_return co_await send_error(s, gateway_error::internal,
                                "could not store the configuration: " + r.error);
}

// The connection a verify form describes ({"url", "key", "config"}), or why it cannot be tried.
// The form is read as a stored connection would be (connection_specs), so verify tests exactly
// what saving it would run.
std::shared_ptr<upstream_endpoint> verify_endpoint(runtime& rt, provider_kind kind,
                                                   const std::string& body, std::string& error) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  auto* url = !ec && v.is_object() ? v.as_object().if_contains("url") : nullptr;
  if (!url || !url->is_string()) {
    error = "body must carry the \"url\" to verify";
    return nullptr;
  }
  auto& form = v.as_object();
  auto base = normalize_base_url(std::string(url->as_string()));
  secret_string key;
  if (auto* k = form.if_contains("key"); k && k->is_string()) {
    // An admin UI verifying a stored connection sends its key as shown: masked. The mask stands
    // for the stored key only at that connection's own URL, never for another host.
    std::string_view given(k->as_string());
    if (is_mask(given)) {
      masked_echo echo(kind, family(*rt.config.load(), kind));
      std::string why;
      auto real = echo.key(given, 0, base, why);
      if (!real) {
        error = "key is a mask that matches no connection stored at this URL: send the key in full";
        return nullptr;
      }
      key = std::move(*real);
    } else {
      key = secret_string(std::string(given));
    }
  }
  boost::json::object config;
  if (auto* c = form.if_contains("config"); c && c->is_object()) config = c->as_object();
  if (auto* a = config.if_contains("auth_type"); a && a->is_string())
    if (auto why = refused_auth_type(std::string_view(a->as_string())); !why.empty()) {
      error = why;
      return nullptr;
    }
  gateway_config g;
  auto& p = kind == provider_kind::openai ? g.openai : g.ollama;
  p.base_urls = {base};
  if (kind == provider_kind::openai)
    p.api_keys = {key};
  else if (!key.empty())
    config["key"] = key.reveal();
  config["enable"] = true;
  p.api_configs_json = boost::json::serialize(boost::json::object{{"0", config}});
  auto spec = connection_specs(g).at(0);
  spec.key.idx = -1;  // not a configured connection: named "the server being verified"
  return make_upstream_endpoint(spec, rt, error);
}

}  // namespace

route_result openai_config(api_context& ctx, session_io& s, client_request&) {
  return config_of(ctx, s, provider_kind::openai);
}
route_result openai_config_update(api_context& ctx, session_io& s, client_request& req) {
  return update_config(ctx, s, req, provider_kind::openai);
}
route_result ollama_config(api_context& ctx, session_io& s, client_request&) {
  return config_of(ctx, s, provider_kind::ollama);
}
route_result ollama_config_update(api_context& ctx, session_io& s, client_request& req) {
  return update_config(ctx, s, req, provider_kind::ollama);
}

// POST /{openai,ollama}/verify: asks a server that is not (necessarily) configured for what its
// adapter verifies with (the model list; Ollama's version) with the key and config given,
// without storing anything, and answers what it said or why it failed.
route_result verify(api_context& ctx, session_io& s, client_request& req, provider_kind kind) {
  std::string error;
  auto ep = verify_endpoint(ctx.rt, kind, req.body(), error);
  if (!ep) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto path = ep->adapter().verify_path(*ep->settings());
  auto cancel = std::make_shared<cancel_group>();
  auto replies = co_await call_for_client(
      s, cancel,
      one_call(call_upstream(ep, http::verb::get, std::move(path), std::string(),
                             ctx.rt.cfg.model_list_timeout, 32ull << 20, cancel->join())));
  if (!replies) co_return client_left();
  auto& r = replies->front();
  if (r.status == 200) co_return co_await send_body(s, http::status::ok, std::move(r.body));
  if (r.status == 0)
    co_return co_await send_error(
        s, r.timed_out ? gateway_error::upstream_timeout : gateway_error::upstream_unreachable,
        "the server could not be reached: " + r.error);
  auto [code, body] = upstream_error_answer(r.status, r.body, *ep, s.dialect);
  co_return co_await send_body(s, code, std::move(body));
}

route_result openai_verify(api_context& ctx, session_io& s, client_request& req) {
  return verify(ctx, s, req, provider_kind::openai);
}
route_result ollama_verify(api_context& ctx, session_io& s, client_request& req) {
  return verify(ctx, s, req, provider_kind::ollama);
}

}  // namespace sb
