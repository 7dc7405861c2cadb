#pragma once
// Builds the first configuration from Open WebUI's environment variables, with Open WebUI's own
// defaults and fallbacks (config.py): *_BASE_URLS split on ';', the singular variable as fallback,
// empty OpenAI URLs meaning api.openai.com, the legacy OLLAMA_API_BASE_URL with "/api" stripped.
#include <functional>
#include <optional>
#include <string>

#include "messages/config_types.hpp"

namespace sb {

/// Reads one environment variable; injectable so tests do not touch the process environment.
using env_lookup = std::function<std::optional<std::string>(const char*)>;

env_lookup process_env();

/// The configuration Open WebUI would seed its database with from this environment.
/// Fails (returns an error text) only on a value Open WebUI would also reject, e.g. a
/// *_API_CONFIGS that is not a JSON object.
struct seed_result {
  gateway_config config;
  std::string error;
};
seed_result seed_config_from_env(const env_lookup& env);

/// Open WebUI's truthiness for boolean env vars: "true" (any case) is true, anything else false.
bool env_flag(const env_lookup& env, const char* name, bool fallback);

}  // namespace sb
