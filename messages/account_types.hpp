#pragma once
// Accounts as Open WebUI knows them: users (admin, user, pending), their API keys, and groups.
// The accounts actor owns them (actors/accounts_actor.hpp) and publishes an accounts_snapshot
// that the I/O threads read: authentication never asks an actor or the database.
#include <caf/allowed_unsafe_message_type.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "messages/string_hash.hpp"

namespace sb {

enum class account_role : std::uint8_t { pending = 0, user = 1, admin = 2 };

inline const char* to_string(account_role r) {
  return r == account_role::admin ? "admin" : r == account_role::user ? "user" : "pending";
}
inline std::optional<account_role> parse_account_role(std::string_view s) {
  if (s == "admin") return account_role::admin;
  if (s == "user") return account_role::user;
  if (s == "pending") return account_role::pending;
  return std::nullopt;
}

struct user_account {
  std::string id{};
  std::string name{};
  std::string email{};  // lowercased
  account_role role = account_role::pending;
  std::string profile_image_url = "/user.png";
  std::string password_hash{};  // Argon2id, libsodium's encoded form; never shown
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t updated_at = 0;
  std::int64_t last_active_at = 0;
  // Raised when the user's password or role changes (and on deletion): tokens carry the epoch
  // they were issued in, and one from an older epoch is refused at once.
  std::uint64_t epoch = 1;
};

struct api_key_account {
  std::string id;       // "key_<user id>": one key per user, as in Open WebUI
  std::string user_id;
  std::string hash;     // SHA-256 of the key, hex; the key itself is shown once, at creation
  std::string display;  // "sk-ab...wxyz": enough to recognise it, not to use it
  std::int64_t created_at = 0;
};

struct group_account {
  std::string id;
  std::string user_id;  // who created it
  std::string name;
  std::string description;
  std::string permissions_json = "null";
  std::string data_json = "null";
  std::string meta_json = "null";
  std::vector<std::string> member_ids;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// A sign-in token ended by its sign-out before it expires (Open WebUI revokes through Redis).
struct revoked_token {
  std::string user_id;
  std::int64_t expires_at = 0;  // the token's own expiry: forgotten after it; 0 never expires
};

using user_pointer = std::shared_ptr<const user_account>;
using api_key_pointer = std::shared_ptr<const api_key_account>;

/// What the I/O threads read to authenticate and authorise (immutable once published). Users
/// and keys are shared between snapshots: a change copies the maps' pointers, not every user,
/// and a request keeps the one user it is for, not the whole snapshot it was found in.
struct accounts_snapshot;
/// A published accounts snapshot, as the actors that follow the accounts receive it.
using shared_accounts = std::shared_ptr<const accounts_snapshot>;

struct accounts_snapshot {
  std::uint64_t generation = 0;
  template <class T>
  using by_text = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;
  by_text<user_pointer> users;            // by id
  by_text<std::string> user_by_email;     // lowercased email -> id
  by_text<api_key_pointer> keys_by_hash;  // key hash -> key
  std::map<std::string, group_account> groups;                   // by id
  by_text<std::vector<std::string>> groups_of_user;  // user id -> ids of their groups (index)
  by_text<revoked_token> revoked_tokens;  // by the token's id ("jti")
  // What users may do beyond their role (http/auth/permissions.hpp), as a JSON object's text;
  // empty until the environment's or an admin's is set.
  std::string default_permissions;
  std::string primary_admin;  // the first user created: never demoted or deleted by others

  const user_account* user(std::string_view id) const {
    auto it = users.find(id);
    return it == users.end() ? nullptr : it->second.get();
  }
  const std::vector<std::string>* groups_of(std::string_view user_id) const {
    auto it = groups_of_user.find(user_id);
    return it == groups_of_user.end() ? nullptr : &it->second;
  }
  /// Rebuilds groups_of_user from the groups (after any change to them).
  void index_memberships() {
    groups_of_user.clear();
    for (auto& [id, g] : groups)
      for (auto& member : g.member_ids) groups_of_user[member].push_back(id);
  }
  user_pointer shared_user(std::string_view id) const {
    auto it = users.find(id);
    return it == users.end() ? nullptr : it->second;
  }
};

// What admin routes and sign-up ask the accounts actor to change. Each is checked against the
// actor's current state (an email taken, the first user, the primary admin) before it is written.
struct signup_user {
  user_account user;  // id, name, email, password_hash, profile_image_url set
  account_role role_when_not_first = account_role::pending;
  bool open = true;   // ENABLE_SIGNUP: whether anyone but the first user may sign up
};
struct add_user {
  user_account user;  // with its role
};
struct update_user {
  std::string id;
  std::string by;  // who asks (the primary admin is changed only by itself)
  std::optional<std::string> name, email, profile_image_url, password_hash;
  std::optional<account_role> role;
};
struct delete_user {
  std::string id;
  std::string by;
};
struct set_api_key {
  std::string user_id;
  std::optional<api_key_account> key;  // none: delete it
};
struct revoke_token {
  std::string token_id;  // "jti"
  revoked_token token;
};
struct set_default_permissions {
  std::string permissions;  // a JSON object's text, checked by the route
};
struct touch_user {
  std::string id;  // signed in now: last_active_at
};
struct save_group {
  group_account group;  // created when its id is new, else replaced (members kept unless given)
  bool members_given = false;
};
struct change_members {
  std::string group_id;
  std::vector<std::string> user_ids;
  bool add = true;
};
struct delete_group {
  std::string group_id;
};

using account_command =
    std::variant<signup_user, add_user, update_user, delete_user, set_api_key, revoke_token,
                 set_default_permissions, touch_user, save_group, change_members, delete_group>;

enum class account_status : std::uint8_t {
  done,
  email_taken,     // 400
  signup_closed,   // 403
  not_found,       // 404
  prohibited,      // 403: the primary admin, or oneself
  failed,          // 500: not stored
};

struct account_reply {
  account_status status = account_status::failed;
  std::string error;
  std::optional<user_account> user;
  std::optional<group_account> group;
  std::shared_ptr<const accounts_snapshot> snapshot;  // as of this change
};

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::account_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::shared_accounts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::account_reply)
