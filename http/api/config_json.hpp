#pragma once
// Open WebUI's admin JSON shapes for provider configuration (GET /openai/config and
// /ollama/config, POST .../config/update), with keys masked on the way out and masks resolved on
// the way in.
#include <optional>
#include <string>

#include "messages/config_types.hpp"

namespace sb {

/// {"ENABLE_OPENAI_API", "OPENAI_API_BASE_URLS", "OPENAI_API_KEYS", "OPENAI_API_CONFIGS"}, or
/// {"ENABLE_OLLAMA_API", "OLLAMA_BASE_URLS", "OLLAMA_API_CONFIGS"} (Ollama keeps each key in its
/// config entry), with every secret masked: keys, credentials in URLs, secret-named header values.
std::string render_provider_config(provider_kind kind, const provider_config& p);

/// Reads an update form against the `current` config: missing ENABLE keeps the current flag, keys
/// are padded/truncated to the URL count, configs are pruned to the URL indices. An echoed mask
/// keeps the stored secret only for the same connection at the same URL (config/masked_echo.hpp);
/// link-local and metadata hosts are refused unless `allow_link_local`; custom headers may not set
/// framing headers. Returns the new config, or sets `error`.
std::optional<provider_config> parse_provider_config_update(provider_kind kind,
                                                            std::string_view body,
                                                            const provider_config& current,
                                                            bool allow_link_local,
                                                            std::string& error);

}  // namespace sb
