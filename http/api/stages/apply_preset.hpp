#pragma once
// Pipeline stage "presets", for the chat routes: a custom model with a base_model_id (a preset,
// messages/custom_model_types.hpp) is called by its own id, and the request goes to its base
// model with its params applied and its system prompt set, as Open WebUI does it
// (utils/payload.py): params in the OpenAI names with their casts, or for Ollama's own API mapped
// into `options` (max_tokens -> num_predict; format, keep_alive and think at the root); Open
// WebUI-only params dropped; the system prompt, its {{USER_NAME}}, {{CURRENT_DATE}}, ... filled,
// put before the text of the first system message, or as a new first message.
// Only a preset's request is re-serialized; every other request's bytes are left as they came.
#include <string>

#include "messages/account_types.hpp"
#include "messages/custom_model_types.hpp"

namespace sb {

enum class param_style : std::uint8_t { openai, ollama };

/// Rewrites the request `body` for `preset`. False and `error` when the body is not a JSON
/// object.
bool apply_preset(std::string& body, const custom_model& preset, param_style style,
                  const user_account& caller, std::string& error);

/// `text` with Open WebUI's prompt variables filled for `caller`, now (UTC).
std::string fill_prompt_variables(std::string text, const user_account& caller);

}  // namespace sb
