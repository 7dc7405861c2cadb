#include "http/api/auth.hpp"

#include <openssl/crypto.h>
#include <time.h>

#include <boost/beast/core/string.hpp>
#include <chrono>
#include <unordered_map>

#include "http/auth/api_keys.hpp"
#include "http/auth/session_token.hpp"
#include "http/server/field_value.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view invalid_token =
    "Your session has expired or the token is invalid. Please sign in again.";
constexpr std::size_t cache_cap = 4096;  // per I/O thread; cleared whole when full

// What this thread has already worked out about a credential. A token's signature and claims
// hold until it expires; the user a token or key stands for holds while the accounts snapshot's
// generation is the one it was found in. So a credential seen before costs one lookup here.
constexpr std::uint64_t not_yet = ~std::uint64_t{0};
struct known_token {
  token_claims claims;
  std::uint64_t generation = not_yet;  // of the snapshot `user` was found in
  user_pointer user{};  // whose epoch matched the token's
  std::int64_t active_noted = 0;  // when its user was last reported active from this thread
};
struct known_key {
  std::string hash;
  std::uint64_t generation = not_yet;
  user_pointer user{};
  api_key_pointer key{};
  std::int64_t active_noted = 0;
};
template <class T>
using by_credential = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;
thread_local by_credential<known_token> known_tokens;
thread_local by_credential<known_key> known_keys;

// Seconds, from the coarse clock: a few ns (no syscall), and a tick is far finer than a second.
std::int64_t now_s() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return ts.tv_sec;
}

// Reports `user` active to the accounts actor (last_active_at), at most once a minute for this
// credential on this thread: a one-way message, never one per request.
void note_activity(runtime& rt, std::int64_t& noted, std::int64_t now, const user_account& user) {
  if (now - noted < 60 || !rt.note_active) return;
  noted = now;
  rt.note_active(user.id);
}

std::string_view cookie_token(const client_request& req) {
  for (auto& f : req) {
    if (f.name() != http::field::cookie) continue;
    std::string_view rest = f.value();
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto pair = rest.substr(0, semi);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.starts_with("token=")) return pair.substr(6);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    }
  }
  return {};
}

// What this thread knows of a signed, unexpired, not signed-out token of its user's current
// epoch; null for any other. Revocations and epochs are read again only when the snapshot has
// changed.
known_token* token_entry(std::string_view token, const secret_string& key,
                         const accounts_snapshot& accounts, std::int64_t now) {
  auto it = known_tokens.find(token);
  if (it == known_tokens.end()) {
    auto claims = read_token(token, key, now);
    if (!claims) return nullptr;
    if (known_tokens.size() >= cache_cap) known_tokens.clear();
    it = known_tokens.emplace(std::string(token), known_token{std::move(*claims)}).first;
  }
  auto& known = it->second;
  if (known.claims.expires_at && known.claims.expires_at <= now) return nullptr;
  if (known.generation != accounts.generation) {
    auto user = accounts.shared_user(known.claims.user_id);
    // A token from before the user's password or role changed is over, as is one signed out.
    if (user && (known.claims.epoch != user->epoch ||
                 accounts.revoked_tokens.contains(known.claims.token_id)))
      user = nullptr;
    known.user = std::move(user);
    known.generation = accounts.generation;
  }
  return known.user ? &known : nullptr;
}

// The key and its user for an API key; null members when it is not (or no longer) one.
known_key& key_of(std::string_view credential, const accounts_snapshot& accounts) {
  auto it = known_keys.find(credential);
  if (it == known_keys.end()) {
    if (known_keys.size() >= cache_cap) known_keys.clear();
    it = known_keys.emplace(std::string(credential), known_key{api_key_hash(credential)}).first;
  }
  auto& known = it->second;
  if (known.generation != accounts.generation) {
    auto k = accounts.keys_by_hash.find(known.hash);
    known.key = k == accounts.keys_by_hash.end() ? nullptr : k->second;
    known.user = known.key ? accounts.shared_user(known.key->user_id) : nullptr;
    known.generation = accounts.generation;
  }
  return known;
}

// API_KEY_ALLOWED_ENDPOINTS: a path is allowed when it is one of them or lies under one.
bool key_may_reach(const settings::account_settings& a, std::string_view path) {
  if (!a.key_endpoint_restrictions) return true;
  for (auto& e : a.key_allowed_endpoints)
    if (path == e || (path.starts_with(e) && path.size() > e.size() && path[e.size()] == '/'))
      return true;
  return false;
}

}  // namespace

bool bears_key(const client_request& req, const secret_string& key) {
  if (key.empty()) return false;
  std::string_view auth = field_value(req, http::field::authorization);
  constexpr std::string_view bearer = "Bearer ";
  if (auth.size() != bearer.size() + key.reveal().size() ||
      !boost::beast::iequals(auth.substr(0, bearer.size()), bearer))
    return false;
  return CRYPTO_memcmp(auth.data() + bearer.size(), key.reveal().data(), key.reveal().size()) == 0;
}

std::string_view presented_credential(const client_request& req, credential_kind& via) {
  std::string_view auth = field_value(req, http::field::authorization);
  if (auth.size() > 7 && boost::beast::iequals(auth.substr(0, 7), "Bearer ")) {
    auto token = auth.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    via = is_api_key(token) ? credential_kind::api_key : credential_kind::token;
    return token;
  }
  via = credential_kind::cookie;
  return cookie_token(req);
}

std::optional<principal> authenticate(const client_request& req, runtime& rt,
                                      std::string_view path, auth_refusal& why) {
  // Open WebUI's single user is admin@localhost, named "User". Shared without a count, so
  // handing it to each request costs no atomic on a line every thread writes.
  static const user_account single_user{.id = "admin",
                                        .name = "User",
                                        .email = "admin@localhost",
                                        .role = account_role::admin};
  if (!rt.cfg.webui_auth) return principal{user_pointer(user_pointer{}, &single_user)};
  credential_kind via{};
  auto credential = presented_credential(req, via);
  if (credential.empty()) {
    why = {false, "Not authenticated"};
    return std::nullopt;
  }
  auto accounts = rt.accounts.load();
  auto now = now_s();
  if (via == credential_kind::api_key) {
    auto& a = rt.cfg.accounts;
    if (!a.enable_api_keys) {
      why = {true, "Use of API key is not enabled in the environment."};
      return std::nullopt;
    }
    auto& known = key_of(credential, *accounts);
    if (!known.user) {
      why = {false, std::string(invalid_token)};
      return std::nullopt;
    }
    if (!key_may_reach(a, path)) {
      why = {true, "API key not allowed to access this endpoint."};
      return std::nullopt;
    }
    note_activity(rt, known.active_noted, now, *known.user);
    return principal{known.user, via, {}, known.key};
  }
  auto* known = token_entry(credential, rt.token_key, *accounts, now);
  if (!known) {
    why = {false, std::string(invalid_token)};
    return std::nullopt;
  }
  note_activity(rt, known->active_noted, now, *known->user);
  return principal{known->user, via, credential, nullptr};
}

}  // namespace sb
