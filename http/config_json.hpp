#pragma once
// Open WebUI's admin JSON shapes for provider configuration (GET /openai/config, POST
// /openai/config/update), with keys masked on the way out and masks resolved on the way in.
#include <optional>
#include <string>

#include "messages/config_types.hpp"

namespace sb {

/// {"ENABLE_OPENAI_API", "OPENAI_API_BASE_URLS", "OPENAI_API_KEYS" (masked), "OPENAI_API_CONFIGS"}
std::string render_openai_config(const provider_config& p);

/// Reads an update form against the `current` config: missing ENABLE keeps the current flag, keys
/// are padded/truncated to the URL count, a masked key ("****abcd") keeps the stored key it masks,
/// configs are pruned to the URL indices. Returns the new config, or sets `error`.
std::optional<provider_config> parse_openai_config_update(std::string_view body,
                                                          const provider_config& current,
                                                          std::string& error);

}  // namespace sb
