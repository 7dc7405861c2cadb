#pragma once
// The account settings of the environment, as Open WebUI names them (WEBUI_SECRET_KEY,
// JWT_EXPIRES_IN, ENABLE_SIGNUP, DEFAULT_USER_ROLE, ENABLE_API_KEY, API_KEY_ALLOWED_ENDPOINTS,
// WEBUI_ADMIN_*). Open WebUI's newer names (ENABLE_API_KEYS, ...) are read too.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace sb {

/// Reads them into `out`; an error text naming the bad value, or empty.
std::string read_account_settings(const env_lookup& env, settings::account_settings& out);

/// JWT_EXPIRES_IN's form: numbers with units ms, s, m, h, d, w, summed ("1h30m"); "-1" or "0"
/// for never (0 s). Nothing when it does not read.
std::optional<std::chrono::seconds> parse_token_lifetime(std::string_view text);

}  // namespace sb
