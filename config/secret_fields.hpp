#pragma once
// Which parts of a connection's configuration are secrets, and how they are shown: API keys,
// header values named like credentials, and credentials inside a URL (user:password@, ?key=).
// GET /openai/config shows each masked (`****` plus the last four characters of a long value);
// an admin UI echoes the mask back, and config_json turns an echoed mask back into the stored
// value only for the same connection at the same URL.
#include <string>
#include <string_view>
#include <vector>

namespace sb {

/// A header whose value is a credential: Authorization, Cookie, api-key, or any name containing
/// key, token, secret, password, auth, credential or signature.
bool secret_header_name(std::string_view name);

/// A URL query parameter whose value is a credential (key, api_key, token, sig, ...).
bool secret_query_param(std::string_view name);

/// What an admin sees instead of a secret: "****" and, for values longer than 8 characters, the
/// last four. Empty stays empty.
std::string mask_secret(std::string_view value);

/// True when `shown` is a mask (what mask_secret returns for something), not a real value.
bool is_mask(std::string_view shown);

/// `url` with the password of its userinfo (or the user, when it has no password: a token) and the
/// values of credential query parameters masked.
/// Anything that is not a parsable URL is returned unchanged.
std::string mask_url(std::string_view url);

/// True when a credential inside `url` (password, credential query value) is a mask.
bool url_has_mask(std::string_view url);

/// The credentials inside `url` (the userinfo whole and its password or lone user, decoded and as
/// written; the values of credential query parameters), for scrubbing upstream text.
std::vector<std::string> url_secrets(std::string_view url);

}  // namespace sb
