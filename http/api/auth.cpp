#include "http/api/auth.hpp"

#include <openssl/crypto.h>

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

// Tokens whose signature this thread has checked, and what they claim; keys and their hashes.
thread_local std::unordered_map<std::string, token_claims, string_hash, std::equal_to<>>
    verified_tokens;
thread_local std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> key_hashes;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

const token_claims* claims_of(std::string_view token, const secret_string& key) {
  auto it = verified_tokens.find(token);
  if (it == verified_tokens.end()) {
    auto c = read_token(token, key, now_s());
    if (!c) return nullptr;
    if (verified_tokens.size() >= cache_cap) verified_tokens.clear();
    it = verified_tokens.emplace(std::string(token), std::move(*c)).first;
  }
  if (it->second.expires_at && it->second.expires_at <= now_s()) return nullptr;
  return &it->second;
}

const std::string& hash_of(std::string_view key) {
  auto it = key_hashes.find(key);
  if (it == key_hashes.end()) {
    if (key_hashes.size() >= cache_cap) key_hashes.clear();
    it = key_hashes.emplace(std::string(key), api_key_hash(key)).first;
  }
  return it->second;
}

// API_KEY_ALLOWED_ENDPOINTS: a path is allowed when it is one of them or lies under one.
bool key_may_reach(const settings::account_settings& a, std::string_view path) {
  if (!a.key_endpoint_restrictions) return true;
  for (auto& e : a.key_allowed_endpoints)
    if (path == e || (path.starts_with(e) && path.size() > e.size() && path[e.size()] == '/'))
      return true;
  return false;
}

principal as_principal(const user_account& u, credential_kind via) {
  return {u.id, u.role, u.name, u.email, via, {}, {}};
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
  // Open WebUI's single user is admin@localhost, named "User".
  if (!rt.cfg.webui_auth)
    return principal{"admin", account_role::admin, "User", "admin@localhost",
                     credential_kind::single_user, {}, {}};
  credential_kind via{};
  auto credential = presented_credential(req, via);
  if (credential.empty()) {
    why = {false, "Not authenticated"};
    return std::nullopt;
  }
  auto accounts = rt.accounts.load();
  if (via == credential_kind::api_key) {
    auto& a = rt.cfg.accounts;
    if (!a.enable_api_keys) {
      why = {true, "Use of API key is not enabled in the environment."};
      return std::nullopt;
    }
    auto key = accounts->keys_by_hash.find(hash_of(credential));
    auto* user = key == accounts->keys_by_hash.end() ? nullptr : accounts->user(key->second.user_id);
    if (!user) {
      why = {false, std::string(invalid_token)};
      return std::nullopt;
    }
    if (!key_may_reach(a, path)) {
      why = {true, "API key not allowed to access this endpoint."};
      return std::nullopt;
    }
    auto p = as_principal(*user, via);
    p.api_key_id = key->second.id;
    return p;
  }
  auto* claims = claims_of(credential, rt.token_key);
  auto* user = claims ? accounts->user(claims->user_id) : nullptr;
  // A token from before the user's password or role changed is over.
  if (!user || claims->epoch != user->epoch) {
    why = {false, std::string(invalid_token)};
    return std::nullopt;
  }
  auto p = as_principal(*user, via);
  p.token = credential;
  return p;
}

}  // namespace sb
