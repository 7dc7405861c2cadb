// /api/v1/users (admin) and /api/v1/auths/api_key (one's own key), in Open WebUI's shapes.
#include <boost/json.hpp>

#include "http/api/account_json.hpp"
#include "http/api/control_change.hpp"
#include "http/api/handlers.hpp"
#include "http/api/query_string.hpp"
#include "http/auth/api_keys.hpp"
#include "http/auth/passwords.hpp"
#include "http/auth/permissions.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t page_size = 30;  // Open WebUI's
constexpr std::string_view user_not_found = "We could not find what you're looking for :/";

bool contains_folded(const std::string& hay, const std::string& needle) {
  auto fold = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return fold(hay).find(fold(needle)) != std::string::npos;
}

route_result account_refused(session_io& s, const account_reply& r) {
  switch (r.status) {
    case account_status::not_found:
      return send_error(s, gateway_error::bad_request, user_not_found);
    case account_status::email_taken:
      return send_error(s, gateway_error::bad_request,
                        "Uh-oh! This email is already registered. Sign in with your existing "
                        "account or choose another email to start anew.");
    case account_status::prohibited:
    case account_status::signup_closed:
      return send_error(s, gateway_error::forbidden, r.error);
    default:
      return send_error(s, gateway_error::internal, r.error);
  }
}

// The users a list page shows: matching `query` (name or email), ordered, paged by 30.
std::vector<const user_account*> listed_users(const accounts_snapshot& a, std::string_view target,
                                              std::size_t& total) {
  auto query = query_value(target, "query");
  auto order = query_value(target, "order_by");
  bool ascending = query_value(target, "direction") == "asc";
  std::vector<const user_account*> out;
  for (auto& [id, u] : a.users)
    if (query.empty() || contains_folded(u->name, query) || contains_folded(u->email, query))
      out.push_back(u.get());
  auto key = [&](const user_account* u) -> std::string {
    if (order == "name") return u->name;
    if (order == "email") return u->email;
    if (order == "role") return to_string(u->role);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020lld",
                  static_cast<long long>(order == "last_active_at" ? u->last_active_at
                                                                   : u->created_at));
    return buf;
  };
  std::stable_sort(out.begin(), out.end(), [&](auto* x, auto* y) {
    auto kx = key(x), ky = key(y);
    return ascending ? (kx != ky ? kx < ky : x->id < y->id) : (kx != ky ? kx > ky : x->id > y->id);
  });
  total = out.size();
  std::size_t page = std::max(1, std::atoi(query_value(target, "page").c_str()));
  auto first = std::min(out.size(), (page - 1) * page_size);
  auto last = std::min(out.size(), first + page_size);
  return {out.begin() + first, out.begin() + last};
}

// JSON bodies are built outside coroutines: g++ 12 miscompiles braced lists of string literals
// inside a coroutine frame ("array used as initializer").
std::string users_page(json::array users, std::size_t total) {
  return json::serialize(json::object{{"users", std::move(users)}, {"total", total}});
}
std::string key_shown(const api_key_account& k) {
  return json::serialize(json::object{{"api_key", k.display}, {"created_at", k.created_at}});
}
std::string key_made(const std::string& key) {
  return json::serialize(json::object{{"api_key", key}});
}

}  // namespace

route_result users_list(api_context& ctx, session_io& s, client_request& req) {
  auto a = ctx.rt.accounts.load();
  std::size_t total = 0;
  json::array users;
  for (auto* u : listed_users(*a, req.target(), total)) users.push_back(user_json(*u, *a));
  co_return co_await send_body(s, http::status::ok, users_page(std::move(users), total));
}

route_result user_get(api_context& ctx, session_io& s, client_request&) {
  auto a = ctx.rt.accounts.load();
  auto* u = a->user(ctx.id);
  if (!u) co_return co_await send_error(s, gateway_error::bad_request, user_not_found);
  co_return co_await send_body(s, http::status::ok, json::serialize(user_json(*u, *a)));
}

route_result user_update(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  update_user cmd{std::string(ctx.id), ctx.caller.id(), form->text("name", error),
                  form->text("email", error), form->text("profile_image_url", error), {}, {}};
  if (auto role = form->text("role", error)) {
    cmd.role = parse_account_role(*role);
    if (!cmd.role) error = "field 'role' must be pending, user or admin";
  }
  if (cmd.email && (*cmd.email = normalized_email(*cmd.email)).empty())
    error = "field 'email' is not an email address";
  auto password = form->text("password", error);
  if (password && (password->empty() || password->size() > 1024))
    error = "field 'password' must be 1 to 1024 bytes";
  if (!error.empty()) co_return co_await send_error(s, gateway_error::bad_request, error);
  if (password) {
    auto hash = co_await ctx.rt.passwords.run(hash_password_job(std::move(*password)));
    if (!hash)
      co_return co_await send_error(s, gateway_error::overloaded, "busy; retry shortly",
                                    "Retry-After: 1\r\n");
    cmd.password_hash = std::move(*hash);
  }
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await account_refused(s, r);
  co_return co_await send_body(s, http::status::ok,
                               json::serialize(user_json(*r.user, *r.snapshot)));
}

// Open WebUI's older role route: {"id", "role"}.
route_result user_update_role(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto id = form->text("id", error).value_or("");
  auto role = parse_account_role(form->text("role", error).value_or(""));
  if (!role || id.empty())
    co_return co_await send_error(s, gateway_error::bad_request,
                                  "body must name the user (id) and a role: pending, user or admin");
  if (id == ctx.caller.id())
    co_return co_await send_error(s, gateway_error::forbidden, "you cannot change your own role");
  account_command cmd = update_user{id, ctx.caller.id(), {}, {}, {}, {}, role};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await account_refused(s, r);
  co_return co_await send_body(s, http::status::ok,
                               json::serialize(user_json(*r.user, *r.snapshot)));
}

route_result user_delete(api_context& ctx, session_io& s, client_request&) {
  account_command cmd = delete_user{std::string(ctx.id), ctx.caller.id()};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await account_refused(s, r);
  co_return co_await send_body(s, http::status::ok, "true");
}

// POST makes the caller's key (replacing one they had) and shows it, this once; GET shows its
// display form; DELETE ends it at once.
// Only admins, and users whose permissions hold features.api_keys (USER_PERMISSIONS_FEATURES_
// API_KEYS, or a group's), have keys; for the others all three answer 403 (as Open WebUI now).
route_result auth_api_key(api_context& ctx, session_io& s, client_request& req) {
  auto a = ctx.rt.accounts.load();
  if (!ctx.rt.cfg.accounts.enable_api_keys || !permitted(*a, *ctx.caller.user, "features", "api_keys"))
    co_return co_await send_error(s, gateway_error::forbidden,
                                  "API key creation is not allowed in the environment.");
  const api_key_account* mine = nullptr;
  for (auto& [hash, k] : a->keys_by_hash)
    if (k->user_id == ctx.caller.id()) mine = k.get();
  if (req.method() == http::verb::get) {
    if (!mine)
      co_return co_await send_error(
          s, gateway_error::not_found,
          "Oops! It looks like there's a hiccup. The API key is missing. Please make sure to "
          "provide a valid API key to access this feature.");
    co_return co_await send_body(s, http::status::ok, key_shown(*mine));
  }
  std::optional<api_key_account> made;
  std::string key;
  if (req.method() == http::verb::post) {
    key = new_api_key();
    made = api_key_account{"key_" + ctx.caller.id(), ctx.caller.id(), api_key_hash(key),
                           api_key_display(key), 0};
  }
  account_command cmd = set_api_key{ctx.caller.id(), made};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await account_refused(s, r);
  if (!made) co_return co_await send_body(s, http::status::ok, "true");
  co_return co_await send_body(s, http::status::ok, key_made(key));
}

// GET /api/v1/users/permissions: the caller's own, as sign-in shows them.
route_result user_permissions(api_context& ctx, session_io& s, client_request&) {
  auto body = json::serialize(permissions_of(*ctx.rt.accounts.load(), ctx.caller.id()));
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

// GET and POST /api/v1/users/default/permissions (admin): what users may do unless a group
// gives more. A POST is laid over the current ones and kept (it outlives a restart and wins over
// USER_PERMISSIONS_*), as Open WebUI's persistent config.
route_result default_permissions(api_context& ctx, session_io& s, client_request& req) {
  auto current = ctx.rt.accounts.load()->default_permissions;
  if (req.method() == http::verb::get)
    co_return co_await send_body(s, http::status::ok, std::move(current));
  std::string error;
  auto next = updated_permissions(req.body(), current, error);
  if (!next) co_return co_await send_error(s, gateway_error::bad_request, error);
  account_command cmd = set_default_permissions{*next};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await account_refused(s, r);
  co_return co_await send_body(s, http::status::ok, std::move(*next));
}

}  // namespace sb
