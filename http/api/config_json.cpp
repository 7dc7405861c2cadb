#include "http/api/config_json.hpp"

#include <boost/json.hpp>

#include "config/masked_echo.hpp"
#include "config/secret_fields.hpp"
#include "http/upstream/upstream_address_policy.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// Secret header values and credential-bearing legacy URL keys in OPENAI_API_CONFIGS, masked.
json::object masked_configs(const std::string& text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  json::object out;
  if (ec || !parsed.is_object()) return out;
  for (auto& [key, entry] : parsed.as_object()) {
    json::value e = entry;
    if (e.is_object())
      if (auto* h = e.as_object().if_contains("headers"); h && h->is_object())
        for (auto& [name, value] : h->as_object())
          if (value.is_string() && secret_header_name(name))
            value = mask_secret(std::string_view(value.as_string()));
    out[mask_url(std::string_view(key))] = std::move(e);
  }
  return out;
}

// One connection's config entry from an update: headers checked (no framing headers, nothing that
// could end a header line) and masked values resolved. False and `error` when refused.
bool read_config_entry(const json::object& in, std::size_t idx, const std::string& url,
                       const masked_echo& echo, json::object& out, std::string& error) {
  out = in;
  auto* h = out.if_contains("headers");
  if (!h || h->is_null()) return true;
  auto where = "OPENAI_API_CONFIGS[\"" + std::to_string(idx) + "\"].headers";
  if (!h->is_object()) {
    error = where + " must be an object";
    return false;
  }
  for (auto& [name, value] : h->as_object()) {
    std::string_view n(name);
    if (!value.is_string()) {
      error = where + "[\"" + std::string(n) + "\"] must be a string";
      return false;
    }
    if (n.empty() || n.find_first_of("\r\n: \t") != std::string_view::npos ||
        std::string_view(value.as_string()).find_first_of("\r\n") != std::string_view::npos) {
      error = where + " has a name or value that could end the header line";
      return false;
    }
    if (reserved_header_name(n)) {
      error = where + " may not set " + std::string(n) + ": the gateway frames each request";
      return false;
    }
    auto real = echo.header(n, std::string_view(value.as_string()), idx, url, error);
    if (!real) return false;
    value = *real;
  }
  return true;
}

}  // namespace

std::string render_openai_config(const provider_config& p) {
  json::array urls, keys;
  for (auto& u : p.base_urls) urls.emplace_back(mask_url(u));
  for (auto& k : p.api_keys) keys.emplace_back(mask_secret(k.reveal()));
  json::object o{{"ENABLE_OPENAI_API", p.enable},
                 {"OPENAI_API_BASE_URLS", std::move(urls)},
                 {"OPENAI_API_KEYS", std::move(keys)},
                 {"OPENAI_API_CONFIGS", masked_configs(p.api_configs_json)}};
  return json::serialize(o);
}

std::optional<provider_config> parse_openai_config_update(std::string_view body,
                                                          const provider_config& current,
                                                          bool allow_link_local,
                                                          std::string& error) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    error = "request body must be a JSON object";
    return std::nullopt;
  }
  auto& o = v.as_object();
  masked_echo echo(provider_kind::openai, current);
  provider_config next;
  next.enable = current.enable;
  if (auto* e = o.if_contains("ENABLE_OPENAI_API"); e && !e->is_null()) {
    if (!e->is_bool()) {
      error = "ENABLE_OPENAI_API must be a boolean";
      return std::nullopt;
    }
    next.enable = e->as_bool();
  }
  auto* urls = o.if_contains("OPENAI_API_BASE_URLS");
  if (!urls || !urls->is_array()) {
    error = "OPENAI_API_BASE_URLS must be a list of URLs";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < urls->as_array().size(); ++i) {
    auto& u = urls->as_array()[i];
    auto where = "OPENAI_API_BASE_URLS[" + std::to_string(i) + "]";
    if (!u.is_string()) {
      error = where + " must be a string";
      return std::nullopt;
    }
    auto real = echo.url(std::string_view(u.as_string()), i, error);
    if (!real) return std::nullopt;
    std::string why;
    auto target = parse_upstream_url(*real, why);
    if (!target) {
      error = where + " is not a valid URL: " + why;
      return std::nullopt;
    }
    if (auto refused = refused_upstream_host(target->host, allow_link_local); !refused.empty()) {
      error = where + ": " + refused;
      return std::nullopt;
    }
    next.base_urls.push_back(std::move(*real));
  }
  if (auto* keys = o.if_contains("OPENAI_API_KEYS"); keys && !keys->is_null()) {
    if (!keys->is_array()) {
      error = "OPENAI_API_KEYS must be a list of strings";
      return std::nullopt;
    }
    auto& arr = keys->as_array();
    for (std::size_t i = 0; i < arr.size() && i < next.base_urls.size(); ++i) {
      if (!arr[i].is_string()) {
        error = "OPENAI_API_KEYS[" + std::to_string(i) + "] must be a string";
        return std::nullopt;
      }
      auto key = echo.key(std::string_view(arr[i].as_string()), i, next.base_urls[i], error);
      if (!key) return std::nullopt;
      next.api_keys.push_back(std::move(*key));
    }
  }
  next.api_keys.resize(next.base_urls.size());
  json::object configs;
  if (auto* c = o.if_contains("OPENAI_API_CONFIGS"); c && !c->is_null()) {
    if (!c->is_object()) {
      error = "OPENAI_API_CONFIGS must be an object";
      return std::nullopt;
    }
    for (std::size_t i = 0; i < next.base_urls.size(); ++i) {
      auto idx = std::to_string(i);
      if (auto* entry = c->as_object().if_contains(idx)) {
        if (!entry->is_object()) {
          error = "OPENAI_API_CONFIGS[\"" + idx + "\"] must be an object";
          return std::nullopt;
        }
        json::object checked;
        if (!read_config_entry(entry->as_object(), i, next.base_urls[i], echo, checked, error))
          return std::nullopt;
        configs[idx] = std::move(checked);
      }
    }
  }
  next.api_configs_json = json::serialize(configs);
  return next;
}

}  // namespace sb
