#pragma once
// Decides the configuration a gateway starts with, as Open WebUI does: the environment seeds the
// database on first start; after that the database wins; RESET_CONFIG_ON_START re-seeds it;
// ENABLE_PERSISTENT_CONFIG=False uses the environment and ignores the database.
#include <optional>
#include <string>

#include "config/env_seed.hpp"
#include "config/settings.hpp"
#include "storage/config_store.hpp"

namespace sb {

std::optional<gateway_config> startup_config(config_store& store, const env_lookup& env,
                                             const settings& s, std::string& error);

}  // namespace sb
