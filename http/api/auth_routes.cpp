// /api/v1/auths: sign-in, sign-up, sign-out, who am I, an admin adding a user, a password change
// and API keys, in Open WebUI's shapes and words (docs/open-webui-accounts.md).
#include <boost/json.hpp>
#include <chrono>
#include <functional>

#include "http/api/account_json.hpp"
#include "http/api/control_change.hpp"
#include "http/api/handlers.hpp"
#include "http/auth/api_keys.hpp"
#include "http/auth/passwords.hpp"
#include "http/auth/permissions.hpp"
#include "http/auth/session_token.hpp"
#include "http/server/runtime.hpp"
#include "storage/record_store.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view invalid_credentials =
    "The email or password provided is incorrect. Please check for typos and try logging in again.";
constexpr std::string_view email_taken =
    "Uh-oh! This email is already registered. Sign in with your existing account or choose "
    "another email to start anew.";
constexpr std::string_view invalid_email =
    "The email format you entered is invalid. Please double-check and make sure you're using a "
    "valid email address (e.g., yourname@example.com).";
constexpr std::string_view prohibited =
    "You do not have permission to access this resource. Please contact your administrator for "
    "assistance.";
constexpr std::size_t max_password = 1024;  // bytes: Argon2id takes any length; a bound, not a rule

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string http_date(std::int64_t t) {
  std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// The `token` cookie (HttpOnly, SameSite=Lax, as Open WebUI sets it); empty token: cleared.
std::string cookie_line(const std::string& token, std::int64_t expires_at) {
  std::string line = "Set-Cookie: token=" + token + "; Path=/; HttpOnly; SameSite=Lax";
  if (token.empty()) line += "; Max-Age=0";
  else if (expires_at) line += "; Expires=" + http_date(expires_at);
  return line + "\r\n";
}

token_claims new_claims(runtime& rt, const user_account& u) {
  auto life = rt.cfg.accounts.token_lifetime.count();
  return {u.id, {}, life ? now_s() + life : 0, u.epoch};
}

json::value expires_json(std::int64_t at) { return at ? json::value(at) : json::value(nullptr); }

// JSON bodies are built outside coroutines: g++ 12 miscompiles braced lists of string literals
// inside a coroutine frame ("array used as initializer").
std::string session_body(const user_account& u, const std::string& token, std::int64_t expires,
                         json::object permissions) {
  json::object o{{"token", token},
                 {"token_type", "Bearer"},
                 {"expires_at", expires_json(expires)},
                 {"id", u.id},
                 {"email", u.email},
                 {"name", u.name},
                 {"role", to_string(u.role)},
                 {"profile_image_url", u.profile_image_url},
                 {"permissions", std::move(permissions)}};
  return json::serialize(o);
}

// GET /api/v1/auths/: who the caller is, with the sign-in token it came with (never an API key:
// that is not shown back).
std::string whoami_body(const principal& p, std::int64_t expires, json::object permissions) {
  json::object o{{"id", p.id()},
                 {"email", p.email()},
                 {"name", p.name()},
                 {"role", to_string(p.level())},
                 {"profile_image_url", p.user->profile_image_url},
                 {"token_type", "Bearer"},
                 {"permissions", std::move(permissions)}};
  o["token"] = p.token.empty() ? json::value(nullptr) : json::value(p.token);
  o["expires_at"] = expires_json(expires);
  return json::serialize(o);
}

std::string added_body(const user_account& u, const std::string& token) {
  json::object o{{"token", token},
                 {"token_type", "Bearer"},
                 {"id", u.id},
                 {"email", u.email},
                 {"name", u.name},
                 {"role", to_string(u.role)},
                 {"profile_image_url", u.profile_image_url}};
  return json::serialize(o);
}

// What sign-in and sign-up answer: a fresh token for `u`, in the body and the cookie.
route_result session_answer(api_context& ctx, session_io& s, const user_account& u) {
  auto claims = new_claims(ctx.rt, u);
  auto token = issue_token(claims, ctx.rt.token_key);
  auto body = session_body(u, token, claims.expires_at, permissions_of(*ctx.rt.accounts.load(), u.id));
  co_return co_await send_body(s, http::status::ok, std::move(body), "application/json",
                               cookie_line(token, claims.expires_at));
}

std::string client_address(session_io& s) {
  boost::system::error_code ec;
  auto ep = s.client.socket().remote_endpoint(ec);
  return ec ? std::string("?") : ep.address().to_string();
}

// The password `form` gives under `key`, or why it cannot be one.
std::optional<std::string> password_of(const account_form& form, std::string_view key,
                                       std::string& error) {
  auto p = form.text(key, error);
  if (!p && error.empty()) error = "field '" + std::string(key) + "' is required";
  if (p && (p->empty() || p->size() > max_password)) {
    error = "field '" + std::string(key) + "' must be 1 to 1024 bytes";
    return std::nullopt;
  }
  return p;
}

// Jobs for the password worker, made outside coroutines (g++ 12 mis-moves init-captures of
// lambdas written inside them).
// "1" when `password` is the one `stored` was made from. With no stored hash (no such user) it is
// checked against a stand-in, so that the answer takes as long either way.
std::function<std::string()> check_job(std::string stored, std::string password) {
  return [h = std::move(stored), p = std::move(password)] {
    static const std::string stand_in = hash_password("no such user");
    bool ok = password_matches(h.empty() ? stand_in : h, p) && !h.empty();
    return std::string(ok ? "1" : "");
  };
}
// The hash of `next` when `current` is the password `stored` was made from; else empty.
std::function<std::string()> change_job(std::string stored, std::string current, std::string next) {
  return [h = std::move(stored), c = std::move(current), n = std::move(next)] {
    return password_matches(h, c) ? hash_password(n) : std::string();
  };
}

// A new user as a sign-up or add form describes them (name, email, profile image) and their
// password; nothing and `error` when the form is refused.
std::optional<std::pair<user_account, std::string>> read_new_user(const account_form& form,
                                                                  std::string& error) {
  user_account u;
  u.name = form.text("name", error).value_or("");
  u.email = normalized_email(form.text("email", error).value_or(""));
  u.profile_image_url = form.text("profile_image_url", error).value_or("/user.png");
  auto password = password_of(form, "password", error);
  if (error.empty() && u.email.empty()) error = std::string(invalid_email);
  if (!error.empty()) return std::nullopt;
  return std::pair{std::move(u), std::move(*password)};
}

revoke_token revoke_token_of(const token_claims& c) {
  return {c.token_id, {c.user_id, c.expires_at}};
}

route_result worker_busy(session_io& s) {
  return send_error(s, gateway_error::overloaded, "too many sign-ins at once; retry shortly",
                    "Retry-After: 1\r\n");
}

route_result refused(session_io& s, const account_reply& r) {
  switch (r.status) {
    case account_status::email_taken:
      return send_error(s, gateway_error::bad_request, email_taken);
    case account_status::signup_closed:
    case account_status::prohibited:
      return send_error(s, gateway_error::forbidden, r.error.empty() ? prohibited : r.error);
    case account_status::not_found:
      return send_error(s, gateway_error::not_found, "We could not find what you're looking for :/");
    default:
      return send_error(s, gateway_error::internal, r.error);
  }
}

}  // namespace

route_result auth_signin(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto email = normalized_email(form->text("email", error).value_or(""));
  auto password = form->text("password", error).value_or("");
  auto address = client_address(s);
  if (auto wait = ctx.rt.signins.wait_seconds(email, address); wait > 0)
    co_return co_await send_error(
        s, gateway_error::upstreams_throttled,
        "too many failed sign-ins for this account or from this address; try again in " +
            std::to_string(wait) + " s",
        "Retry-After: " + std::to_string(wait) + "\r\n");
  auto accounts = ctx.rt.accounts.load();
  auto id = accounts->user_by_email.find(email);
  const user_account* user = id == accounts->user_by_email.end() ? nullptr
                                                                  : accounts->user(id->second);
  std::string stored;
  if (user) stored = user->password_hash;
  auto verdict = co_await ctx.rt.passwords.run(check_job(stored, password));
  if (!verdict) co_return co_await worker_busy(s);
  if (!user || verdict->empty() || password.empty()) {
    ctx.rt.signins.failed(email, address);
    co_return co_await send_error(s, gateway_error::bad_request, invalid_credentials);
  }
  ctx.rt.signins.succeeded(email);
  ctx.cp.change_accounts(touch_user{user->id}, [](account_reply) {});
  co_return co_await session_answer(ctx, s, *user);
}

route_result auth_signup(api_context& ctx, session_io& s, client_request& req) {
  if (!ctx.rt.cfg.webui_auth) co_return co_await send_error(s, gateway_error::forbidden, prohibited);
  std::string error;
  auto form = account_form::read(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto asked = read_new_user(*form, error);
  if (!asked) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto& [u, password] = *asked;
  auto accounts = ctx.rt.accounts.load();
  if (accounts->user_by_email.count(u.email))  // (decided again by the actor)
    co_return co_await send_error(s, gateway_error::bad_request, email_taken);
  if (!accounts->users.empty() && !ctx.rt.cfg.accounts.enable_signup)
    co_return co_await send_error(s, gateway_error::forbidden, prohibited);
  auto hash = co_await ctx.rt.passwords.run(hash_password_job(std::move(password)));
  if (!hash) co_return co_await worker_busy(s);
  u.id = random_uuid();
  u.password_hash = std::move(*hash);
  auto role = parse_account_role(ctx.rt.cfg.accounts.default_role).value_or(account_role::pending);
  account_command cmd = signup_user{u, role, ctx.rt.cfg.accounts.enable_signup};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await refused(s, r);
  co_return co_await session_answer(ctx, s, *r.user);
}

// Ends the sign-in token the caller shows (bearer or cookie) at once, as Open WebUI does when it
// has Redis, and clears the cookie. Anyone may ask: without a valid token there is nothing to end.
route_result auth_signout(api_context& ctx, session_io& s, client_request& req) {
  credential_kind via{};
  auto token = presented_credential(req, via);
  auto claims = ctx.rt.cfg.webui_auth && via != credential_kind::api_key
                    ? read_token(token, ctx.rt.token_key, now_s())
                    : std::nullopt;
  if (claims) {
    account_command cmd = revoke_token_of(*claims);
    auto r = co_await change_accounts(ctx.cp, std::move(cmd));
    if (r.status != account_status::done) co_return co_await refused(s, r);
  }
  co_return co_await send_body(s, http::status::ok, R"({"status":true})", "application/json",
                               cookie_line({}, 0));
}

route_result auth_session_user(api_context& ctx, session_io& s, client_request&) {
  auto claims = read_token(ctx.caller.token, ctx.rt.token_key, now_s());
  std::int64_t expires = claims ? claims->expires_at : 0;
  auto body = whoami_body(ctx.caller, expires,
                          permissions_of(*ctx.rt.accounts.load(), ctx.caller.id()));
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result auth_add_user(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto asked = read_new_user(*form, error);
  if (!asked) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto& [u, password] = *asked;
  auto role = parse_account_role(form->text("role", error).value_or("pending"));
  if (!role)
    co_return co_await send_error(s, gateway_error::bad_request,
                                  "field 'role' must be pending, user or admin");
  auto hash = co_await ctx.rt.passwords.run(hash_password_job(std::move(password)));
  if (!hash) co_return co_await worker_busy(s);
  u.id = random_uuid();
  u.role = *role;
  u.password_hash = std::move(*hash);
  account_command cmd = add_user{u};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await refused(s, r);
  auto body = added_body(*r.user, issue_token(new_claims(ctx.rt, *r.user), ctx.rt.token_key));
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result auth_update_password(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto current = password_of(*form, "password", error);
  auto next = current ? password_of(*form, "new_password", error) : std::nullopt;
  if (!next) co_return co_await send_error(s, gateway_error::bad_request, error);
  auto accounts = ctx.rt.accounts.load();
  auto* u = accounts->user(ctx.caller.id());
  if (!u)
    co_return co_await send_error(s, gateway_error::forbidden,
                                  "single-user mode has no password to change");
  auto stored = u->password_hash;
  auto hash = co_await ctx.rt.passwords.run(change_job(stored, *current, *next));
  if (!hash) co_return co_await worker_busy(s);
  if (hash->empty())
    co_return co_await send_error(
        s, gateway_error::bad_request,
        "The password provided is incorrect. Please check for typos and try again.");
  account_command cmd = update_user{u->id, u->id, {}, {}, {}, *hash, {}};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status != account_status::done) co_return co_await refused(s, r);
  // Every token of the account ends with the old password; this session goes on with a new one.
  auto claims = new_claims(ctx.rt, *r.user);
  co_return co_await send_body(s, http::status::ok, "true", "application/json",
                               cookie_line(issue_token(claims, ctx.rt.token_key),
                                           claims.expires_at));
}

}  // namespace sb
