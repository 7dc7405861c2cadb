#include "config/startup_config.hpp"

#include "config/connection_ids.hpp"

namespace sb {

namespace {

// The version of a first seed in a cluster: below every real write, so a node joining with an
// empty database takes the cluster's configuration rather than overwriting it with its
// environment (fresh nodes' seeds tie, and the greater node name wins on every node alike).
constexpr std::uint64_t cluster_seed_version = 1;

// The seeded configuration as a new write: connection ids (kept for connections the stored one
// has at the same URLs) and a fresh version for both families (the floor version for a
// cluster's first seed).
void stamp_seed(gateway_config& seeded, const gateway_config* stored, config_store& store,
                bool floor) {
  auto new_id = [] { return random_hex_id(12); };
  assign_connection_ids(seeded.openai, stored ? stored->openai : provider_config{}, new_id);
  assign_connection_ids(seeded.ollama, stored ? stored->ollama : provider_config{}, new_id);
  seeded.openai.version = floor ? cluster_seed_version : store.tick();
  seeded.ollama.version = floor ? cluster_seed_version : store.tick();
  seeded.version = seeded.ollama.version;
}

}  // namespace

std::optional<gateway_config> startup_config(config_store& store, const env_lookup& env,
                                             const settings& s, std::string& error) {
  auto seeded = seed_config_from_env(env);
  if (!seeded.error.empty()) {
    error = seeded.error;
    return std::nullopt;
  }
  if (!s.persistent_config) {
    stamp_seed(seeded.config, nullptr, store, false);
    return seeded.config;
  }
  auto stored = store.load(error);
  if (!error.empty()) return std::nullopt;
  if (stored && !s.reset_config_on_start) return stored;
  stamp_seed(seeded.config, stored ? &*stored : nullptr, store, !stored && s.cluster.enabled);
  if (!store.save(seeded.config, error)) return std::nullopt;
  return seeded.config;
}

}  // namespace sb
