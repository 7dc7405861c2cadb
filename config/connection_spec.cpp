#include "config/connection_spec.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

namespace sb {

namespace json = boost::json;

bool operator==(const connection_spec& a, const connection_spec& b) {
  return a.key == b.key && a.id == b.id && a.url == b.url && a.api_key == b.api_key &&
         a.enable == b.enable &&
         a.prefix_id == b.prefix_id && a.model_ids == b.model_ids && a.tags_json == b.tags_json &&
         a.connection_type == b.connection_type && a.auth == b.auth && a.azure == b.azure &&
         a.api_version == b.api_version && a.headers == b.headers && a.weight == b.weight &&
         a.priority == b.priority && a.server_filters == b.server_filters;
}

bool reserved_header_name(std::string_view name) {
  for (std::string_view f : {"content-length", "transfer-encoding", "connection", "keep-alive",
                             "upgrade", "te", "trailer", "proxy-connection", "expect", "host"})
    if (boost::beast::iequals(name, f)) return true;
  return false;
}

bool same_connection(const connection_spec& a, const connection_spec& b) {
  return a.id == b.id && a.url == b.url && a.api_key == b.api_key && a.auth == b.auth &&
         a.azure == b.azure && a.api_version == b.api_version && a.headers == b.headers &&
         a.server_filters == b.server_filters;
}

std::string normalize_base_url(std::string url) {
  while (!url.empty() && (url.back() == '/' || url.back() == ' ')) url.pop_back();
  while (!url.empty() && url.front() == ' ') url.erase(url.begin());
  return url;
}

namespace {

constexpr const char* unsupported_auth_reason =
    " needs Open WebUI's own sign-in or Azure's credential chain, which this gateway does not "
    "have: use \"bearer\" with a key, \"none\", or \"session\"";

auth_type parse_auth(std::string_view s) {
  if (s == "none") return auth_type::none;
  if (s == "session") return auth_type::session;
  if (s == "system_oauth") return auth_type::system_oauth;
  if (s == "azure_ad" || s == "microsoft_entra_id") return auth_type::azure_ad;
  return auth_type::bearer;
}

const json::object* config_for(const json::object& all, int idx, const std::string& url) {
  if (auto* v = all.if_contains(std::to_string(idx)); v && v->is_object()) return &v->as_object();
  if (auto* v = all.if_contains(url); v && v->is_object()) return &v->as_object();
  return nullptr;
}

std::string string_or(const json::object& o, std::string_view key, std::string fallback) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return fallback;
}

void append_specs(provider_kind kind, const provider_config& pc,
                  std::vector<connection_spec>& out) {
  json::object all;
  boost::system::error_code ec;
  auto parsed = json::parse(pc.api_configs_json, ec);
  if (!ec && parsed.is_object()) all = std::move(parsed.as_object());
  for (std::size_t i = 0; i < pc.base_urls.size(); ++i) {
    connection_spec s;
    s.key = {kind, static_cast<int>(i)};
    // Every stored or seeded configuration has ids (config/connection_ids.hpp); one built by
    // hand (tests, a verify form) is named by position.
    s.id = i < pc.ids.size() && !pc.ids[i].empty()
               ? pc.ids[i]
               : std::string(to_string(kind)) + "-" + std::to_string(i);
    s.url = normalize_base_url(pc.base_urls[i]);
    if (i < pc.api_keys.size()) s.api_key = pc.api_keys[i];
    s.connection_type = kind == provider_kind::openai ? "external" : "local";
    s.enable = pc.enable;
    if (auto* c = config_for(all, static_cast<int>(i), pc.base_urls[i])) {
      if (auto* v = c->if_contains("enable"); v && v->is_bool())
        s.enable = s.enable && v->as_bool();
      s.prefix_id = string_or(*c, "prefix_id", "");
      if (auto* v = c->if_contains("model_ids"); v && v->is_array())
        for (auto& m : v->as_array())
          if (m.is_string()) s.model_ids.emplace_back(m.as_string());
      if (auto* v = c->if_contains("tags"); v && v->is_array() && !v->as_array().empty())
        s.tags_json = json::serialize(*v);
      s.connection_type = string_or(*c, "connection_type", s.connection_type);
      s.auth = parse_auth(string_or(*c, "auth_type", "bearer"));
      if (auto* v = c->if_contains("azure"); v && v->is_bool()) s.azure = v->as_bool();
      s.api_version = string_or(*c, "api_version", s.azure ? "2023-03-15-preview" : "");
      if (auto* v = c->if_contains("server_filters"); v && v->is_bool())
        s.server_filters = kind == provider_kind::openai && v->as_bool();
      if (kind == provider_kind::ollama) {
        auto k = string_or(*c, "key", "");
        if (!k.empty()) s.api_key = secret_string(std::move(k));
      }
      if (auto* v = c->if_contains("weight"); v && v->is_number()) {
        auto w = v->to_number<double>();
        s.weight = static_cast<std::uint32_t>(std::clamp(w, 0.0, 1'000'000.0));
      }
      if (auto* v = c->if_contains("priority"); v && v->is_number()) {
        auto p = v->to_number<double>();
        s.priority = static_cast<std::int32_t>(std::clamp(p, -1'000'000.0, 1'000'000.0));
      }
      if (auto* v = c->if_contains("headers"); v && v->is_object())
        for (auto& [name, val] : v->as_object()) {
          if (!val.is_string()) continue;
          std::string n(name), value(val.as_string());
          // A header that could end the line would let configuration inject requests.
          if (n.empty() || n.find_first_of("\r\n: ") != std::string::npos ||
              value.find_first_of("\r\n") != std::string::npos || reserved_header_name(n))
            continue;
          s.headers.emplace_back(std::move(n), std::move(value));
        }
    }
    out.push_back(std::move(s));
  }
}

}  // namespace

bool is_official_openai(const connection_spec& spec) {
  return spec.url.find("api.openai.com") != std::string::npos;
}

bool is_header_token(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c == 0 || (!std::isalnum(c) && !std::strchr("!#$%&'*+-.^_`|~", c))) return false;
  return true;
}

std::string unsupported_auth(const connection_spec& spec) {
  if (spec.auth == auth_type::system_oauth)
    return std::string("auth_type \"system_oauth\"") + unsupported_auth_reason;
  if (spec.auth == auth_type::azure_ad)
    return std::string("auth_type \"azure_ad\" (Microsoft Entra ID)") + unsupported_auth_reason;
  return {};
}

std::string refused_auth_type(std::string_view value) {
  if (value == "bearer" || value == "none" || value == "session") return {};
  if (value == "system_oauth" || value == "azure_ad" || value == "microsoft_entra_id")
    return "auth_type \"" + std::string(value) + "\"" + unsupported_auth_reason;
  return "auth_type must be \"bearer\", \"none\" or \"session\"";
}

std::vector<connection_spec> connection_specs(const gateway_config& cfg) {
  std::vector<connection_spec> out;
  append_specs(provider_kind::openai, cfg.openai, out);
  append_specs(provider_kind::ollama, cfg.ollama, out);
  return out;
}

}  // namespace sb
