#pragma once
// GET /api/models: Open WebUI's unified list (utils/models.py get_all_models). Every base model
// (OpenAI entries as /openai/models renders them; Ollama entries as {id, name, object, created,
// owned_by: "ollama", ollama: <its /api/tags entry>, connection_type, tags}), stored names and
// meta laid over their base (`info`), switched-off ones left out, presets added after their base
// (inheriting owned_by and connection_type, `preset: true`), ordered by MODEL_ORDER_LIST, then by
// name. Rendered once per catalog and models generation on each I/O thread; a caller gets the
// entries they may use (http/api/visible_models.hpp).
#include <string>
#include <vector>

#include "messages/catalog_snapshot.hpp"
#include "messages/custom_model_types.hpp"
#include "messages/model_list.hpp"

namespace sb {

/// The unified list of `catalog` with `models` laid over, in `order` first.
model_list unified_list(const catalog_snapshot& catalog, const models_snapshot& models,
                        const std::vector<std::string>& order);

/// The base models alone, as the providers list them (GET /api/models/base).
model_list base_list(const catalog_snapshot& catalog);

}  // namespace sb
