#include "config/account_settings.hpp"

#include <cctype>
#include <cstdlib>

#include "config/user_permissions.hpp"

namespace sb {

std::optional<std::chrono::seconds> parse_token_lifetime(std::string_view text) {
  if (text == "-1" || text == "0") return std::chrono::seconds(0);
  double total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) return std::nullopt;
    double n = std::strtod(std::string(text.substr(start, i - start)).c_str(), nullptr);
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    double scale = unit == "ms" ? 0.001 : unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600
                 : unit == "d" ? 86400 : unit == "w" ? 604800 : -1;
    if (scale < 0) return std::nullopt;
    total += n * scale;
    any = true;
  }
  if (!any || total < 1 || total > 100.0 * 365 * 86400) return std::nullopt;
  return std::chrono::seconds(static_cast<std::int64_t>(total));
}

namespace {

std::optional<std::string> first_of(const env_lookup& env, std::initializer_list<const char*> names) {
  for (auto* n : names)
    if (auto v = env(n); v && !v->empty()) return v;
  return std::nullopt;
}

bool flag_of(const env_lookup& env, std::initializer_list<const char*> names, bool fallback) {
  for (auto* n : names)
    if (auto v = env(n); v && !v->empty()) return env_flag(env, n, fallback);
  return fallback;
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    auto item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string read_account_settings(const env_lookup& env, settings::account_settings& out) {
  if (auto v = first_of(env, {"WEBUI_SECRET_KEY", "WEBUI_JWT_SECRET_KEY"}))
    out.secret_key = secret_string(*v);
  if (auto v = first_of(env, {"JWT_EXPIRES_IN"})) {
    auto life = parse_token_lifetime(*v);
    if (!life)
      return "invalid JWT_EXPIRES_IN '" + *v +
             "': expected a duration such as 4w, 12h or 1h30m (units ms, s, m, h, d, w), or -1";
    out.token_lifetime = *life;
  }
  out.enable_signup = flag_of(env, {"ENABLE_SIGNUP"}, true);
  if (auto v = first_of(env, {"DEFAULT_USER_ROLE"})) {
    if (*v != "pending" && *v != "user" && *v != "admin")
      return "invalid DEFAULT_USER_ROLE '" + *v + "': expected pending, user or admin";
    out.default_role = *v;
  }
  out.enable_api_keys = flag_of(env, {"ENABLE_API_KEYS", "ENABLE_API_KEY"}, true);
  out.key_endpoint_restrictions = flag_of(
      env, {"ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS", "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS"},
      false);
  if (auto v = first_of(env, {"API_KEYS_ALLOWED_ENDPOINTS", "API_KEY_ALLOWED_ENDPOINTS"}))
    out.key_allowed_endpoints = comma_list(*v);
  if (auto v = first_of(env, {"WEBUI_ADMIN_EMAIL"})) out.admin_email = *v;
  if (auto v = first_of(env, {"WEBUI_ADMIN_PASSWORD"})) out.admin_password = secret_string(*v);
  if (auto v = first_of(env, {"WEBUI_ADMIN_NAME"})) out.admin_name = *v;
  out.default_permissions = default_permissions_from_env(env);
  if (out.admin_email.empty() != out.admin_password.empty())
    return "WEBUI_ADMIN_EMAIL and WEBUI_ADMIN_PASSWORD go together: set both or neither";
  return {};
}

}  // namespace sb
