#pragma once
// Turning what an admin UI echoes back into stored secrets. GET /openai/config shows secrets
// masked; a UI that saves the form sends the masks back. A mask keeps the secret it stands for only
// when it comes back for the same connection at the same URL: a mask sent with a changed URL would
// otherwise carry the stored key to a host the admin never gave it to. Every refusal names the
// field, so the admin knows to type the secret again.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/connection_spec.hpp"

namespace sb {

/// The connections of the stored configuration an update is read against (one family).
class masked_echo {
 public:
  masked_echo(provider_kind kind, const provider_config& current);

  /// The real URL for `given` at index `idx`: `given` itself, or, when it carries masked
  /// credentials, the stored URL it masks. Nothing (and `error`) when a mask matches no stored URL.
  std::optional<std::string> url(std::string_view given, std::size_t idx, std::string& error) const;

  /// The key for connection `idx` now at `url`: `given`, or the stored key its mask stands for.
  std::optional<secret_string> key(std::string_view given, std::size_t idx, const std::string& url,
                                   std::string& error) const;

  /// The value of header `name` for connection `idx` now at `url`, likewise.
  std::optional<std::string> header(std::string_view name, std::string_view given, std::size_t idx,
                                    const std::string& url, std::string& error) const;

 private:
  // Stored connections at `url`, the one at `idx` first.
  std::vector<const connection_spec*> same_url(std::size_t idx, const std::string& url) const;
  std::vector<connection_spec> stored_;
  std::vector<std::string> raw_urls_;  // as stored, before normalisation
};

}  // namespace sb
