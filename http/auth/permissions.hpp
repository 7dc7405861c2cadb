#pragma once
// A user's permissions as Open WebUI works them out: the default permissions
// (config/user_permissions.hpp, or what an admin stored since), OR-merged with the permissions
// of every group the user is in. The most permissive wins: true over false, the larger number.
// Read on sign-in and by the routes a permission guards, never per proxied request.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "messages/account_types.hpp"

namespace sb {

/// The permissions of `user_id` in `accounts`.
boost::json::object permissions_of(const accounts_snapshot& accounts, std::string_view user_id);

/// Whether `user` has `section`.`key` (admins have every one).
bool permitted(const accounts_snapshot& accounts, const user_account& user,
               std::string_view section, std::string_view key);

/// New default permissions from an admin's form `body`, laid over `current`: an object of
/// sections, each an object of booleans (or numbers). Nothing, and `error`, otherwise.
std::optional<std::string> updated_permissions(std::string_view body, std::string_view current,
                                               std::string& error);

}  // namespace sb
