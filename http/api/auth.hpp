#pragma once
// Who is calling: every route asks here, and only here. With WEBUI_AUTH=False (Open WebUI's
// single-user mode) every caller is the admin. Otherwise a caller shows a sign-in token (as a
// Bearer token or the `token` cookie) or an API key (a Bearer token "sk-..."), read against the
// accounts snapshot the accounts actor publishes: no actor, no database on the request path.
// After its first use, a token or key costs one hash lookup on this thread: verified ones are
// cached per I/O thread with the user they stand for, and the user's epoch, revoked tokens and
// deleted keys are read again whenever the accounts snapshot has changed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/server/response.hpp"
#include "messages/account_types.hpp"
#include "messages/secret_string.hpp"

namespace sb {

struct runtime;

enum class credential_kind : std::uint8_t { single_user, token, cookie, api_key };

struct principal {
  // The user as the accounts snapshot held it when the request came: shared with that snapshot,
  // never copied, and kept by the request alone (not the whole snapshot) for as long as it runs.
  // Null for a route anyone may use (nobody was asked who they are).
  user_pointer user;
  credential_kind via = credential_kind::single_user;
  // The sign-in token it showed (forwarded by auth_type "session"), if any: a view into the
  // request's own field, valid while the request is being handled.
  std::string_view token{};
  api_key_pointer key{};  // the API key it showed, if any

  const std::string& id() const { return known().id; }
  const std::string& name() const { return known().name; }
  const std::string& email() const { return known().email; }
  account_role level() const { return known().role; }
  std::string_view api_key_id() const { return key ? std::string_view(key->id) : ""; }

 private:
  const user_account& known() const {
    static const user_account nobody;
    return user ? *user : nobody;
  }
};

/// Why a caller is not let in: the status and text to answer.
struct auth_refusal {
  bool forbidden = false;  // 403 (a valid key used where it may not be); else 401
  std::string message;
};

/// Whether `req` carries `Authorization: Bearer <key>` for this (non-empty) key. Compared in
/// constant time.
bool bears_key(const client_request& req, const secret_string& key);

/// The caller of `req` (for a route at `path`), or nothing and why.
std::optional<principal> authenticate(const client_request& req, runtime& rt,
                                      std::string_view path, auth_refusal& why);

/// The sign-in token or API key `req` shows, and how; empty when none.
std::string_view presented_credential(const client_request& req, credential_kind& via);

}  // namespace sb
