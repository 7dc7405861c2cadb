// /api/v1/limits: an admin sets, lists and removes limit rules (messages/limit_types.hpp); the
// limits actor stores them and rebuilds the table the admit stage reads.
//   PUT    /api/v1/limits/{scope}/{id}  body {"rpm", "tpm", "max_in_flight", "budget_tokens",
//                                        "budget_period", "max_output_tokens", "free"}
//   GET    /api/v1/limits/              {"data": [rule, ...]}
//   DELETE /api/v1/limits/{scope}/{id}
// Scopes: user, group, key (an API key's id), model, default (id "*"), connection (free only).
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <chrono>

#include "config/limit_rules.hpp"
#include "http/api/control_change.hpp"
#include "http/api/handlers.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::size_t max_id_length = 256;

// `{scope}/{id}` of the path (the id percent-decoded: a model's may hold spaces or '/'), or why
// it names no rule.
std::string read_rule_path(std::string_view path, limit_rule& out) {
  auto slash = path.find('/');
  auto scope = scope_named(path.substr(0, slash));
  if (!scope) return "the scope must be user, group, key, model, default or connection";
  out.scope = *scope;
  auto raw = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  auto encoded = boost::urls::make_pct_string_view(raw);
  if (!encoded) return "the rule's id is not percent-encoded correctly";
  out.id = encoded->decode();
  if (out.id.empty() || out.id.size() > max_id_length)
    return "the rule needs an id (at most 256 characters) after its scope";
  if ((out.scope == limit_scope::fallback) != (out.id == "*"))
    return "the default's id is '*', and only the default's";
  return {};
}

std::string rules_json(const limits_snapshot& t) {
  std::string out = "{\"data\":[";
  for (std::size_t i = 0; i < t.rules.size(); ++i) {
    if (i) out += ',';
    out += limit_rule_json(t.rules[i]);
  }
  return out + "]}";
}

}  // namespace

route_result limits_list(api_context& ctx, session_io& s, client_request&) {
  auto body = rules_json(*ctx.rt.limits.load());  // (no temporary across the co_await: g++ 12)
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result limit_put(api_context& ctx, session_io& s, client_request& req) {
  limit_rule rule;
  auto why = read_rule_path(ctx.path, rule);
  if (why.empty()) why = read_limit_body(req.body(), rule);
  if (!why.empty()) co_return co_await send_error(s, gateway_error::bad_request, why);
  rule.updated_at = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  auto shown = rule;
  // Made before the co_await: g++ 12 miscompiles a braced temporary inside one.
  limit_command cmd = put_limit{std::move(rule)};
  auto r = co_await change_limits(ctx.cp, std::move(cmd));
  if (r.status != limit_status::done)
    co_return co_await send_error(s, gateway_error::internal, r.error);
  co_return co_await send_body(s, http::status::ok, limit_rule_json(shown));
}

route_result limit_delete(api_context& ctx, session_io& s, client_request&) {
  limit_rule rule;
  if (auto why = read_rule_path(ctx.path, rule); !why.empty())
    co_return co_await send_error(s, gateway_error::bad_request, why);
  limit_command cmd = delete_limit{rule.scope, rule.id};
  auto r = co_await change_limits(ctx.cp, std::move(cmd));
  if (r.status == limit_status::not_found)
    co_return co_await send_error(s, gateway_error::not_found, "no such limit");
  if (r.status != limit_status::done)
    co_return co_await send_error(s, gateway_error::internal, r.error);
  co_return co_await send_body(s, http::status::ok, std::string("true"));
}

}  // namespace sb
