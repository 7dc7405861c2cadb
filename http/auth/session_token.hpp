#pragma once
// Sign-in tokens as Open WebUI issues them: HS256 JWTs {"id", "exp", "jti"}, signed with
// WEBUI_SECRET_KEY. One claim more, "ep": the user's epoch when it was issued
// (messages/account_types.hpp); a token from an older epoch (password or role changed since,
// user deleted) is refused at once, long before it expires.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/secret_string.hpp"

namespace sb {

struct token_claims {
  std::string user_id;
  std::string token_id;  // "jti": what a sign-out revokes
  std::int64_t expires_at = 0;  // unix seconds; 0: never
  std::uint64_t epoch = 1;
};

std::string issue_token(const token_claims& claims, const secret_string& key);

/// The claims of `token` when it is one of ours, signed with `key`, and not expired at `now`.
std::optional<token_claims> read_token(std::string_view token, const secret_string& key,
                                       std::int64_t now);

}  // namespace sb
