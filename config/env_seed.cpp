#include "config/env_seed.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>

namespace sb {

namespace {

std::string env_or(const env_lookup& env, const char* name, std::string fallback) {
  auto v = env(name);
  return v ? *v : fallback;
}

std::vector<std::string> split_semicolons(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(';', start);
    auto part = s.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    auto b = part.find_first_not_of(" \t\r\n");
    auto e = part.find_last_not_of(" \t\r\n");
    out.push_back(b == std::string::npos ? std::string{} : part.substr(b, e - b + 1));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Returns false when `text` is set but not a JSON object.
bool configs_json(const env_lookup& env, const char* name, std::string& out) {
  auto v = env(name);
  if (!v || v->empty()) {
    out = "{}";
    return true;
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(*v, ec);
  if (ec || !parsed.is_object()) return false;
  out = boost::json::serialize(parsed);
  return true;
}

// The project description's pipeline servers: TOOL_SERVER_CONNECTIONS, a JSON array of
// {"url", "api_key"} (Open WebUI's later OpenAPI tool-server entries say "key"). Each becomes an
// OpenAI connection after OPENAI_API_BASE_URLS' with "server_filters" set in its config, so it is
// listed, routed, balanced, health-checked and edited like any other. False on a value that is
// not such an array.
bool append_pipeline_servers(const env_lookup& env, provider_config& oa) {
  auto v = env("TOOL_SERVER_CONNECTIONS");
  if (!v || v->empty()) return true;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(*v, ec);
  if (ec || !parsed.is_array()) return false;
  boost::json::value configs = boost::json::parse(oa.api_configs_json);
  for (auto& item : parsed.as_array()) {
    auto* o = item.if_object();
    auto* url = o ? o->if_contains("url") : nullptr;
    if (!url || !url->is_string() || url->as_string().empty()) return false;
    std::string key;
    for (auto name : {"api_key", "key"})
      if (auto* k = o->if_contains(name); k && k->is_string() && key.empty())
        key = std::string(k->as_string());
    auto idx = std::to_string(oa.base_urls.size());
    oa.base_urls.emplace_back(url->as_string());
    oa.api_keys.emplace_back(std::move(key));
    auto& config = configs.as_object()[idx];
    if (!config.is_object()) config = boost::json::object{};
    config.as_object()["server_filters"] = true;
    // A tool-server entry's own switch ({"config": {"enable": false}}) is kept.
    if (auto* own = o->if_contains("config"); own && own->is_object())
      if (auto* on = own->as_object().if_contains("enable"); on && on->is_bool())
        config.as_object()["enable"] = on->as_bool();
  }
  oa.api_configs_json = boost::json::serialize(configs);
  return true;
}

}  // namespace

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name)) return std::string(v);
    return std::nullopt;
  };
}

bool env_flag(const env_lookup& env, const char* name, bool fallback) {
  auto v = env(name);
  if (!v) return fallback;
  return lower(*v) == "true";
}

seed_result seed_config_from_env(const env_lookup& env) {
  seed_result r;
  auto& oa = r.config.openai;
  oa.enable = env_flag(env, "ENABLE_OPENAI_API", true);
  auto urls = env_or(env, "OPENAI_API_BASE_URLS", "");
  if (urls.empty()) urls = env_or(env, "OPENAI_API_BASE_URL", "https://api.openai.com/v1");
  for (auto& u : split_semicolons(urls))
    oa.base_urls.push_back(u.empty() ? "https://api.openai.com/v1" : u);
  auto keys = env_or(env, "OPENAI_API_KEYS", "");
  if (keys.empty()) keys = env_or(env, "OPENAI_API_KEY", "");
  for (auto& k : split_semicolons(keys)) oa.api_keys.emplace_back(k);
  // Open WebUI pads or truncates the keys to the URL count when it uses them.
  oa.api_keys.resize(oa.base_urls.size());
  if (!configs_json(env, "OPENAI_API_CONFIGS", oa.api_configs_json)) {
    r.error = "OPENAI_API_CONFIGS is not a JSON object";
    return r;
  }
  if (!append_pipeline_servers(env, oa)) {
    r.error = "TOOL_SERVER_CONNECTIONS is not a JSON array of {\"url\", \"api_key\"}";
    return r;
  }

  auto& ol = r.config.ollama;
  ol.enable = env_flag(env, "ENABLE_OLLAMA_API", true);
  auto base = env_or(env, "OLLAMA_BASE_URL", "");
  auto legacy = env_or(env, "OLLAMA_API_BASE_URL", "http://localhost:11434/api");
  if (base.empty() && !legacy.empty())
    base = legacy.size() >= 4 && legacy.ends_with("/api") ? legacy.substr(0, legacy.size() - 4)
                                                          : legacy;
  auto ourls = env_or(env, "OLLAMA_BASE_URLS", "");
  if (ourls.empty()) ourls = base;
  for (auto& u : split_semicolons(ourls))
    if (!u.empty()) ol.base_urls.push_back(u);
  if (!configs_json(env, "OLLAMA_API_CONFIGS", ol.api_configs_json)) {
    r.error = "OLLAMA_API_CONFIGS is not a JSON object";
    return r;
  }
  return r;
}

}  // namespace sb
