#pragma once
// Open WebUI's JSON shapes for accounts (docs/open-webui-accounts.md): users, groups, the session
// answer of sign-in and sign-up, and reading their forms. Never a password hash or an API key.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "messages/account_types.hpp"

namespace sb {

/// A user as admin routes show it: id, name, email, role, profile_image_url, last_active_at,
/// updated_at, created_at, and the ids of their groups.
boost::json::object user_json(const user_account& u, const accounts_snapshot& accounts);

/// A group: id, user_id, name, description, permissions, data, meta, user_ids, member_count,
/// created_at, updated_at.
boost::json::object group_json(const group_account& g);

/// A request body read as a JSON object; `error` when it is not one.
struct account_form {
  boost::json::object fields;
  static std::optional<account_form> read(std::string_view body, std::string& error);
  /// A string field; nothing when absent or null. `bad` is set when it is there but no string.
  std::optional<std::string> text(std::string_view key, std::string& bad) const;
  /// A list of strings (ids); nothing when absent.
  std::optional<std::vector<std::string>> ids(std::string_view key, std::string& bad) const;
  /// A JSON value's text ("null" when absent).
  std::string raw(std::string_view key) const;
  bool has(std::string_view key) const;
};

/// Lowercased and trimmed; empty when it is not an address (Open WebUI's rule: something@x.y,
/// or anything@localhost).
std::string normalized_email(std::string_view email);

}  // namespace sb
