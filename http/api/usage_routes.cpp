// GET /api/v1/usage: what the usage actor has rolled up (actors/usage_actor.hpp), added up as the
// query asks (http/api/usage_report.hpp). An admin may ask about anyone; anyone else reads only
// their own rows (asking for another user's is refused, not silently narrowed).
#include <chrono>

#include "http/api/control_change.hpp"
#include "http/api/handlers.hpp"
#include "http/api/usage_report.hpp"

namespace sb {

namespace http = boost::beast::http;

namespace {

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

route_result usage_report(api_context& ctx, session_io& s, client_request& req) {
  usage_request asked;
  if (auto why = read_usage_request(req.target(), now_s(), asked); !why.empty())
    co_return co_await send_error(s, gateway_error::bad_request, why);
  if (ctx.caller.level() != account_role::admin) {
    if (asked.query.user_id && *asked.query.user_id != ctx.caller.id())
      co_return co_await send_error(s, gateway_error::forbidden,
                                    "only an admin may read another user's usage");
    asked.query.user_id = ctx.caller.id();
  }
  auto group_by = asked.query.group_by;
  auto table = co_await read_usage(ctx.cp, std::move(asked.query));
  if (!table.error.empty())
    co_return co_await send_error(s, gateway_error::internal,
                                  "usage cannot be read: " + table.error);
  if (asked.csv)
    co_return co_await send_body(s, http::status::ok, render_usage_csv(table, group_by),
                                 "text/csv; charset=utf-8");
  co_return co_await send_body(s, http::status::ok, render_usage_json(table, group_by));
}

}  // namespace sb
