#include "http/api/chat_request.hpp"
#include "http/api/handlers.hpp"
#include "http/api/model_routing.hpp"
#include "http/server/field_value.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace http = boost::beast::http;

route_result openai_models(api_context& ctx, session_io& s, client_request&) {
  co_return co_await send_body(s, http::status::ok, ctx.rt.catalog.load()->openai_models_body);
}

// Not a coroutine: it decides synchronously and returns the relay (or the error) to be awaited.
route_result openai_chat(api_context& ctx, session_io& s, client_request& req) {
  chat_request_view view;
  if (auto problem = parse_chat_request(req.body(), view); !problem.empty())
    return answer_error(s, gateway_error::bad_request, std::move(problem));
  auto catalog = ctx.rt.catalog.load();
  auto it = catalog->openai.find(std::string_view(view.model));
  const route_target* t = it == catalog->openai.end() ? nullptr : pick_target(it->second);
  if (!t) return answer_error(s, gateway_error::model_not_found, "Model not found");
  if (t->upstream_model != view.model) replace_model(req.body(), view, t->upstream_model);

  upstream_request up;
  up.path = "/chat/completions";
  up.accept = std::string(field_value(req, http::field::accept));
  up.body = std::move(req.body());
  up.wants_stream = view.stream;
  const model_route& route = it->second;
  return relay_with_failover(s, ctx.rt, std::move(catalog), route, t, std::move(up), true);
}

}  // namespace sb
