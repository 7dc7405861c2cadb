#pragma once
// Who is calling. The seam for real authentication (a later issue): every route asks here, and
// only here. With WEBUI_AUTH=False (Open WebUI's single-user mode) every caller is the admin.
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "http/server/response.hpp"

namespace sb {

enum class role { user, admin };

struct principal {
  std::string id;
  role level = role::user;
  std::string name;
  std::string email;
};

/// Whether `req` carries `Authorization: Bearer <key>` for this (non-empty) key. Compared in
/// constant time.
bool bears_key(const client_request& req, const secret_string& key);

/// The caller of `req`, or nothing when it is not authenticated.
std::optional<principal> authenticate(const client_request& req, const settings& cfg);

}  // namespace sb
