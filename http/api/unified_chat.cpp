// POST /api/chat/completions (and /api/v1/chat/completions), POST /api/embeddings (and
// /api/v1/embeddings): OpenAI's shape in and out, whatever the provider. An OpenAI-family model is relayed as /openai/chat/completions relays it; an
// Ollama model gets the request converted to Ollama's /api/chat and its answer converted back
// (http/api/ollama_chat_conversion.hpp), streamed event by event through the relay's hook.
#include "http/api/caller.hpp"
#include "http/api/handlers.hpp"
#include "http/api/model_routing.hpp"
#include "http/api/ollama_chat_conversion.hpp"
#include "http/api/ollama_embed_conversion.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace {

route_result relay_converted(api_context& ctx, session_io& s, client_request& req) {
  auto& m = *ctx.model;
  if (!m.target) co_return co_await answer_all_down(s, *m.route, std::string(m.view.model));
  ollama_chat_request converted;
  std::string error;
  if (!to_ollama_chat(req.body(), m.target->upstream_model, converted, error))
    co_return co_await send_error(s, gateway_error::bad_request, error);
  // Lives in this frame for as long as the relay runs.
  ollama_chat_converter hook(m.view.model, converted.include_usage);
  upstream_request up;
  up.path = "/api/chat";
  up.model = m.target->upstream_model;
  up.body = std::move(converted.body);
  up.wants_stream = converted.stream;
  up.hook = &hook;
  if (m.route->needs_caller) up.caller = caller_identity_of(ctx, req);
  co_return co_await relay_with_failover(s, ctx.rt, std::move(m.catalog), *m.route, m.target,
                                         std::move(up), true);
}

route_result relay_embed_converted(api_context& ctx, session_io& s, client_request& req) {
  auto& m = *ctx.model;
  if (!m.target) co_return co_await answer_all_down(s, *m.route, std::string(m.view.model));
  upstream_request up;
  std::string error;
  bool base64 = false;
  if (!to_ollama_embed(req.body(), m.target->upstream_model, up.body, base64, error))
    co_return co_await send_error(s, gateway_error::bad_request, error);
  ollama_embed_converter hook(m.view.model, base64);
  up.path = "/api/embed";
  up.model = m.target->upstream_model;
  up.hook = &hook;
  if (m.route->needs_caller) up.caller = caller_identity_of(ctx, req);
  co_return co_await relay_with_failover(s, ctx.rt, std::move(m.catalog), *m.route, m.target,
                                         std::move(up), true);
}

}  // namespace

route_result api_embeddings(api_context& ctx, session_io& s, client_request& req) {
  if (ctx.model->family == provider_kind::openai) return openai_embeddings(ctx, s, req);
  return relay_embed_converted(ctx, s, req);
}

route_result api_chat_completions(api_context& ctx, session_io& s, client_request& req) {
  if (ctx.model->family == provider_kind::openai) return openai_chat(ctx, s, req);
  return relay_converted(ctx, s, req);
}

}  // namespace sb
