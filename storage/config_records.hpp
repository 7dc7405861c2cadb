#pragma once
// The configuration as keyed records (storage/record_store.hpp): one "provider" record per family
// ({"enable"}) and one "connection" record per connection, under its stable id:
//   {"family": "openai"|"ollama", "position": <urlIdx>, "url": ..., "key": ..., "config": {...}}
// where "config" is the connection's OPENAI_API_CONFIGS / OLLAMA_API_CONFIGS entry.
#include <optional>
#include <string>
#include <vector>

#include "messages/config_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

inline constexpr std::string_view provider_kind_name = "provider";
inline constexpr std::string_view connection_kind_name = "connection";

/// The live records of `cfg`'s family `kind` (its provider record and its connections), each
/// stamped `version`.
std::vector<record> family_records(const gateway_config& cfg, provider_kind kind,
                                   const record_version& version);

/// The configuration the records describe (tombstones skipped); each family's version is its
/// provider record's stamp. False (and `error`) on a record of the wrong shape.
bool config_from_records(const std::vector<record>& providers,
                         const std::vector<record>& connections, gateway_config& out,
                         std::string& error);

}  // namespace sb
