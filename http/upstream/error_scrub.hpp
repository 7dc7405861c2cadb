#pragma once
// Upstream error text on its way to a client. A provider's 401 may quote the request's
// `Authorization: Bearer sk-...` and an error object may be megabytes long; what a client sees is
// capped and carries no credential: the connection's own secrets and anything shaped like a bearer
// token, a Basic credential, an `sk-` key or a credential query parameter become `****`.
#include <string>
#include <string_view>
#include <vector>

namespace sb {

/// Longest upstream error message passed on, in bytes (longer ones are cut and marked).
inline constexpr std::size_t max_upstream_error_text = 2048;

/// `text` capped at `cap` bytes (on a UTF-8 boundary, with "..." appended when cut), with `secrets`
/// and credential-shaped tokens replaced by `****`.
std::string scrub_upstream_text(std::string_view text, const std::vector<std::string>& secrets,
                                std::size_t cap = max_upstream_error_text);

}  // namespace sb
