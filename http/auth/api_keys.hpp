#pragma once
// API keys as Open WebUI makes them ("sk-" and 32 hex digits), stored only as their SHA-256:
// shown once, at creation; afterwards only their display form.
#include <string>
#include <string_view>

namespace sb {

std::string new_api_key();

/// The key's SHA-256, hex: how it is stored and found.
std::string api_key_hash(std::string_view key);

/// "sk-ab...wxyz": enough for its owner to tell which key it is, not to use it.
std::string api_key_display(std::string_view key);

/// Whether a bearer credential is an API key rather than a sign-in token.
inline bool is_api_key(std::string_view credential) { return credential.starts_with("sk-"); }

}  // namespace sb
