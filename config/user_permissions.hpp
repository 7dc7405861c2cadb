#pragma once
// What a user may do beyond their role, as Open WebUI's USER_PERMISSIONS: sections (workspace,
// sharing, access_grants, chat, features, settings) of named booleans. The defaults come from
// the USER_PERMISSIONS_* variables, Open WebUI's names and defaults; an admin may change them
// later (GET/POST /api/v1/users/default/permissions), and then the stored ones win.
#include <string>

#include "config/settings.hpp"

namespace sb {

/// The default permissions the environment asks for, as a JSON object's text.
std::string default_permissions_from_env(const env_lookup& env);

}  // namespace sb
