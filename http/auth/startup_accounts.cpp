#include "http/auth/startup_accounts.hpp"

#include <spdlog/spdlog.h>

#include <sodium.h>

#include <chrono>

#include "http/auth/passwords.hpp"

namespace sb {

namespace {

// The admin's id, the same for the same email on every node: gateways of a cluster, each
// creating the admin from its environment at first start, create one user, not one each.
std::string admin_id_for(std::string_view email) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(email.data()), email.size());
  char hex[2 * 16 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, 16);
  std::string h(hex, 32);
  h[12] = '5';  // name-based, as RFC 4122 version 5
  h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

bool make_admin(account_store& store, const settings& s, accounts_snapshot& out,
                std::string& error) {
  auto& a = s.accounts;
  user_account u;
  u.name = a.admin_name;
  u.email = a.admin_email;
  for (auto& c : u.email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  u.id = admin_id_for(u.email);
  u.role = account_role::admin;
  u.password_hash = hash_password(a.admin_password.reveal());
  if (u.password_hash.empty()) {
    error = "cannot hash WEBUI_ADMIN_PASSWORD (out of memory)";
    return false;
  }
  u.created_at = u.updated_at = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  if (!store.write({.users = {u}}, error)) return false;
  spdlog::info("admin account {} created from WEBUI_ADMIN_EMAIL", u.email);
  out.user_by_email[u.email] = u.id;
  out.primary_admin = u.id;
  auto shared = std::make_shared<const user_account>(std::move(u));
  out.users.emplace(shared->id, std::move(shared));
  return true;
}

}  // namespace

std::optional<accounts_snapshot> startup_accounts(account_store& store, const settings& s,
                                                  std::string& error) {
  accounts_snapshot accounts;
  if (!store.load(accounts, error)) return std::nullopt;
  // Open WebUI's persistent config: the environment's permissions until an admin stores some.
  if (accounts.default_permissions.empty())
    accounts.default_permissions = s.accounts.default_permissions;
  if (!s.webui_auth) {
    bool one_admin = accounts.users.size() == 1 &&
                     accounts.users.begin()->second->role == account_role::admin;
    if (!accounts.users.empty() && !one_admin) {
      error = "You can't turn off authentication because there are existing users "
              "(WEBUI_AUTH=False would make everyone who reaches this port the admin). Keep "
              "WEBUI_AUTH=True, or start from a data directory without accounts.";
      return std::nullopt;
    }
    return accounts;
  }
  if (accounts.users.empty() && !s.accounts.admin_email.empty() &&
      !make_admin(store, s, accounts, error))
    return std::nullopt;
  if (accounts.users.empty())
    spdlog::warn("no account yet: the first to sign up becomes the admin, e.g. curl -X POST "
                 "http://{}:{}/api/v1/auths/signup -H 'Content-Type: application/json' -d "
                 "'{{\"name\":\"Admin\",\"email\":\"admin@example.com\",\"password\":\"...\"}}' "
                 "(or set WEBUI_ADMIN_EMAIL and WEBUI_ADMIN_PASSWORD)",
                 s.host == "0.0.0.0" ? "127.0.0.1" : s.host, s.port);
  return accounts;
}

}  // namespace sb
