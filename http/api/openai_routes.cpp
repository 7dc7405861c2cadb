#include <boost/json.hpp>

#include "http/api/json_depth.hpp"
#include "http/api/caller.hpp"
#include "http/api/chat_request.hpp"
#include "http/api/handlers.hpp"
#include "http/api/model_routing.hpp"
#include "http/api/pipelines/filter_chain.hpp"
#include "http/api/reasoning_rules.hpp"
#include "http/api/relative_path.hpp"
#include "http/api/stages/authorise.hpp"
#include "http/api/stages/stream_usage.hpp"
#include "http/api/visible_models.hpp"
#include "http/server/field_value.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace http = boost::beast::http;

namespace {

// What differs between the routes relayed by model.
struct relayed_kind {
  bool json_answer = true;  // a whole success must be JSON
  bool chat = false;        // chat completions: the reasoning-model rules apply
  bool stream_usage = false;  // streams report usage only when asked (http/api/stages/stream_usage.hpp)
  sse_dialect dialect = sse_dialect::chat;
};

// Relays a request routed by its model (resolved by the by_model stage) to `path` on the
// connection picked. Not a coroutine: it decides synchronously and returns the relay (or the
// error) to be awaited.
route_result relay_by_model(api_context& ctx, session_io& s, client_request& req, const char* path,
                            relayed_kind kind = {}) {
  auto& m = *ctx.model;
  if (!m.target) return answer_all_down(s, *m.route, std::string(m.view.model));
  const route_target* t = m.target;
  if (t->upstream_model != m.view.model) replace_model(req.body(), m.view, t->upstream_model);
  if (kind.chat) {
    auto host = reasoning_host_of(*t->endpoint);
    if (reasoning_rules_apply(t->upstream_model, host.official, m.view.has_max_completion_tokens))
      apply_reasoning_rules(req.body(), t->upstream_model, host);
    // A Pipelines server's own model is told who the request is for (Open WebUI's rule).
    if (t->pipe) add_pipeline_user(req.body(), ctx.caller);
  }
  upstream_request up;
  up.path = path;
  up.model = t->upstream_model;
  up.accept = std::string(field_value(req, http::field::accept));
  up.body = std::move(req.body());
  up.wants_stream = m.view.stream;
  up.json_answer = kind.json_answer;
  up.dialect = kind.dialect;
  if (kind.stream_usage) meter_stream_usage(s, ctx.rt, m.view, up);
  if (m.route->needs_caller) up.caller = caller_identity_of(ctx, req);
  return relay_with_failover(s, ctx.rt, std::move(m.catalog), *m.route, t, std::move(up), true);
}

}  // namespace

route_result openai_models(api_context& ctx, session_io& s, client_request&) {
  auto c = ctx.rt.catalog.load();
  static const auto empty = catalog_snapshot::empty_openai_list();
  auto body = visible_list(ctx, list_for(c->openai_models, c->openai_models_by_idx, ctx.url_idx, empty));
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result openai_chat(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/chat/completions", {.chat = true, .stream_usage = true});
}
route_result openai_embeddings(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/embeddings");
}
route_result openai_completions(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/completions", {.stream_usage = true});
}
route_result openai_responses(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/responses", {.dialect = sse_dialect::responses});
}
route_result openai_speech(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/audio/speech", {.json_answer = false});
}

// ENABLE_OPENAI_API_PASSTHROUGH: any method and path (with its query) below /openai/ goes to
// connection 0 as it came, with that connection's key; the answer comes back as it is.
// The model a passthrough's JSON body names, if any (files and other bodies name none).
std::string passthrough_model(const client_request& req) {
  if (field_value(req, http::field::content_type).find("json") == std::string_view::npos) return {};
  boost::system::error_code ec;
  auto v = parse_body_json(req.body(), ec);
  auto* model = !ec && v.is_object() ? v.as_object().if_contains("model") : nullptr;
  return model && model->is_string() ? std::string(model->as_string()) : std::string();
}

route_result openai_passthrough(api_context& ctx, session_io& s, client_request& req) {
  // Per-model access holds here too: a model the caller may not use is not found.
  if (auto model = passthrough_model(req);
      !model.empty() && !may_use_named_model(ctx.rt, ctx.caller, provider_kind::openai, model))
    return answer_error(s, gateway_error::model_not_found, "Model not found");
  std::shared_ptr<upstream_endpoint> first;
  for (auto& ep : ctx.rt.catalog.load()->upstreams)
    if (ep->key().kind == provider_kind::openai && ep->key().idx == 0) first = ep;
  if (!first)
    return answer_error(s, gateway_error::upstream_unreachable,
                        "OpenAI connection 0 is disabled or has not been reached yet");
  std::string why;
  auto path = resolve_relative_path(ctx.path, why);
  if (!path) return answer_error(s, gateway_error::bad_request, std::move(why));
  upstream_request up;
  up.method = req.method();
  auto target = std::string_view(req.target());
  auto query = target.find('?');
  up.path = std::move(*path);
  if (query != std::string_view::npos) up.path += target.substr(query);
  up.content_type = std::string(field_value(req, http::field::content_type));
  up.accept = std::string(field_value(req, http::field::accept));
  up.body = std::move(req.body());
  up.json_answer = false;
  if (first->needs_caller()) up.caller = caller_identity_of(ctx, req);
  return relay_to_upstream(s, ctx.rt, std::move(first), std::move(up));
}

}  // namespace sb
