#include "http/api/chat_request.hpp"
#include "http/api/handlers.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_relay.hpp"

namespace sb {

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

}  // namespace

route_result openai_models(api_context& ctx, session_io& s, client_request&) {
  co_return co_await send_body(s, http::status::ok, ctx.rt.catalog.load()->openai_models_body);
}

route_result openai_chat(api_context& ctx, session_io& s, client_request& req) {
  auto& rt = ctx.rt;
  chat_request_view view;
  if (auto problem = parse_chat_request(req.body(), view); !problem.empty())
    co_return co_await send_error(s, gateway_error::bad_request, problem);
  auto catalog = rt.catalog.load();
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
    auto r = co_await relay_to_upstream(s, rt, t->endpoint, up, next != nullptr);
    if (!r.unreachable) co_return r.answer;
    rt.metrics.failovers.fetch_add(1, std::memory_order_relaxed);
    t = next;
  }
}

}  // namespace sb
