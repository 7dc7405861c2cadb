#include "config/user_permissions.hpp"

#include <boost/json.hpp>

#include "config/env_seed.hpp"

namespace sb {

namespace {

struct permission_default {
  const char* section;
  const char* key;
  const char* variable;  // without its USER_PERMISSIONS_ prefix
  bool value;
};

// Open WebUI's table (config.py DEFAULT_USER_PERMISSIONS), its variables and their defaults.
constexpr permission_default defaults[] = {
    {"workspace", "models", "WORKSPACE_MODELS_ACCESS", false},
    {"workspace", "knowledge", "WORKSPACE_KNOWLEDGE_ACCESS", false},
    {"workspace", "prompts", "WORKSPACE_PROMPTS_ACCESS", false},
    {"workspace", "tools", "WORKSPACE_TOOLS_ACCESS", false},
    {"workspace", "skills", "WORKSPACE_SKILLS_ACCESS", false},
    {"workspace", "models_import", "WORKSPACE_MODELS_IMPORT", false},
    {"workspace", "models_export", "WORKSPACE_MODELS_EXPORT", false},
    {"workspace", "prompts_import", "WORKSPACE_PROMPTS_IMPORT", false},
    {"workspace", "prompts_export", "WORKSPACE_PROMPTS_EXPORT", false},
    {"workspace", "tools_import", "WORKSPACE_TOOLS_IMPORT", false},
    {"workspace", "tools_export", "WORKSPACE_TOOLS_EXPORT", false},
    {"sharing", "models", "WORKSPACE_MODELS_ALLOW_SHARING", false},
    {"sharing", "public_models", "WORKSPACE_MODELS_ALLOW_PUBLIC_SHARING", false},
    {"sharing", "knowledge", "WORKSPACE_KNOWLEDGE_ALLOW_SHARING", false},
    {"sharing", "public_knowledge", "WORKSPACE_KNOWLEDGE_ALLOW_PUBLIC_SHARING", false},
    {"sharing", "prompts", "WORKSPACE_PROMPTS_ALLOW_SHARING", false},
    {"sharing", "public_prompts", "WORKSPACE_PROMPTS_ALLOW_PUBLIC_SHARING", false},
    {"sharing", "tools", "WORKSPACE_TOOLS_ALLOW_SHARING", false},
    {"sharing", "public_tools", "WORKSPACE_TOOLS_ALLOW_PUBLIC_SHARING", false},
    {"sharing", "public_chats", "CHAT_ALLOW_PUBLIC_SHARING", false},
    {"access_grants", "allow_users", "ACCESS_GRANTS_ALLOW_USERS", true},
    {"access_grants", "allow_groups", "ACCESS_GRANTS_ALLOW_GROUPS", true},
    {"chat", "controls", "CHAT_CONTROLS", true},
    {"chat", "valves", "CHAT_VALVES", true},
    {"chat", "system_prompt", "CHAT_SYSTEM_PROMPT", true},
    {"chat", "params", "CHAT_PARAMS", true},
    {"chat", "file_upload", "CHAT_FILE_UPLOAD", true},
    {"chat", "delete", "CHAT_DELETE", true},
    {"chat", "delete_message", "CHAT_DELETE_MESSAGE", true},
    {"chat", "continue_response", "CHAT_CONTINUE_RESPONSE", true},
    {"chat", "regenerate_response", "CHAT_REGENERATE_RESPONSE", true},
    {"chat", "rate_response", "CHAT_RATE_RESPONSE", true},
    {"chat", "edit", "CHAT_EDIT", true},
    {"chat", "share", "CHAT_SHARE", true},
    {"chat", "export", "CHAT_EXPORT", true},
    {"chat", "stt", "CHAT_STT", true},
    {"chat", "tts", "CHAT_TTS", true},
    {"chat", "call", "CHAT_CALL", true},
    {"chat", "multiple_models", "CHAT_MULTIPLE_MODELS", true},
    {"chat", "temporary", "CHAT_TEMPORARY", true},
    {"chat", "temporary_enforced", "CHAT_TEMPORARY_ENFORCED", false},
    {"features", "api_keys", "FEATURES_API_KEYS", false},
    {"features", "folders", "FEATURES_FOLDERS", true},
    {"features", "direct_tool_servers", "FEATURES_DIRECT_TOOL_SERVERS", false},
    {"features", "web_search", "FEATURES_WEB_SEARCH", true},
    {"features", "image_generation", "FEATURES_IMAGE_GENERATION", true},
    {"features", "code_interpreter", "FEATURES_CODE_INTERPRETER", true},
    {"features", "notes", "FEATURES_NOTES", true},
    {"settings", "interface", "SETTINGS_INTERFACE", true},
};

}  // namespace

std::string default_permissions_from_env(const env_lookup& env) {
  boost::json::object out;
  for (auto& d : defaults) {
    auto& section = out[d.section];
    if (!section.is_object()) section = boost::json::object{};
    section.as_object()[d.key] = env_flag(env, (std::string("USER_PERMISSIONS_") + d.variable).c_str(), d.value);
  }
  return boost::json::serialize(out);
}

}  // namespace sb
