#pragma once
// Turns an upstream's model-list answer into the entries the gateway exposes, applying the
// connection's settings exactly as Open WebUI does: model_ids allow-list, "{prefix_id}." renaming,
// configured tags, connection_type, and for OpenAI connections urlIdx and the nested "openai"
// object (Open WebUI's merge_models_lists); for api.openai.com the non-chat models are dropped.
#include <optional>
#include <string>
#include <vector>

#include "config/connection_spec.hpp"
#include "messages/model_types.hpp"

namespace sb {

/// Parses GET {url}/models (OpenAI) or GET {url}/api/tags (Ollama). Returns nothing and sets
/// `error` when the body is not a model list.
std::optional<std::vector<model_entry>> parse_model_list(const connection_spec& spec,
                                                         std::string_view body, std::string& error);

/// The list an OpenAI connection with a non-empty model_ids gets without calling /models.
std::vector<model_entry> synthesize_model_list(const connection_spec& spec);

/// The path to GET for the list, relative to the connection's base URL.
const char* model_list_path(const connection_spec& spec);

}  // namespace sb
