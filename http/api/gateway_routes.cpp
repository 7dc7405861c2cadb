#include "http/api/handlers.hpp"
#include "http/api/metrics_text.hpp"
#include "http/api/upstream_health.hpp"

namespace sb {

namespace http = boost::beast::http;

route_result get_health(api_context&, session_io& s, client_request&) {
  co_return co_await send_body(s, http::status::ok, R"({"status":true})");
}

route_result get_metrics(api_context& ctx, session_io& s, client_request&) {
  co_return co_await send_body(s, http::status::ok, render_metrics(ctx.rt, ctx.routes),
                               "text/plain; version=0.0.4; charset=utf-8");
}

route_result get_upstream_health(api_context& ctx, session_io& s, client_request&) {
  co_return co_await send_body(s, http::status::ok, render_upstream_health(ctx.rt));
}

}  // namespace sb
