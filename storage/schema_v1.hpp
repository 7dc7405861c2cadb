#pragma once
// Schema 1 (releases up to a42f8c9): the whole configuration as one JSON document in Open
// WebUI's layout ({"openai": {"enable", "api_base_urls", "api_keys", "api_configs"}, "ollama":
// {"enable", "base_urls", "api_configs"}}) under "config/current", and a write counter under
// "config/version". Read only to upgrade it.
#include <optional>
#include <string_view>

#include "messages/config_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

/// The configuration a schema-1 document holds, or nothing when it is not one.
std::optional<gateway_config> decode_schema_v1_config(std::string_view text);

/// Upgrades schema 1 to 2: each connection becomes a record under a new stable id.
migration schema_v1_upgrade();

}  // namespace sb
