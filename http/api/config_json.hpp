#pragma once
// Open WebUI's admin JSON shapes for provider configuration (GET /openai/config, POST
// /openai/config/update), with keys masked on the way out and masks resolved on the way in.
#include <optional>
#include <string>

#include "messages/config_types.hpp"

namespace sb {

/// {"ENABLE_OPENAI_API", "OPENAI_API_BASE_URLS", "OPENAI_API_KEYS", "OPENAI_API_CONFIGS"} with
/// every secret masked: keys, credentials in URLs, secret-named header values.
std::string render_openai_config(const provider_config& p);

/// Reads an update form against the `current` config: missing ENABLE keeps the current flag, keys
/// are padded/truncated to the URL count, configs are pruned to the URL indices. An echoed mask
/// keeps the stored secret only for the same connection at the same URL (config/masked_echo.hpp);
/// link-local and metadata hosts are refused unless `allow_link_local`; custom headers may not set
/// framing headers. Returns the new config, or sets `error`.
std::optional<provider_config> parse_openai_config_update(std::string_view body,
                                                          const provider_config& current,
                                                          bool allow_link_local,
                                                          std::string& error);

}  // namespace sb
