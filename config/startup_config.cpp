#include "config/startup_config.hpp"

namespace sb {

std::optional<gateway_config> startup_config(config_store& store, const env_lookup& env,
                                             const settings& s, std::string& error) {
  auto seeded = seed_config_from_env(env);
  if (!seeded.error.empty()) {
    error = seeded.error;
    return std::nullopt;
  }
  if (!s.persistent_config) return seeded.config;
  auto stored = store.load(error);
  if (!error.empty()) return std::nullopt;
  if (stored && !s.reset_config_on_start) return stored;
  seeded.config.version = stored ? stored->version + 1 : 1;
  if (!store.save(seeded.config, error)) return std::nullopt;
  return seeded.config;
}

}  // namespace sb
