#include "http/config_json.hpp"

#include <boost/json.hpp>

#include "http/upstream_endpoint.hpp"

namespace sb {

namespace json = boost::json;

std::string render_openai_config(const provider_config& p) {
  json::array urls, keys;
  for (auto& u : p.base_urls) urls.emplace_back(u);
  for (auto& k : p.api_keys) keys.emplace_back(k.masked());
  boost::system::error_code ec;
  auto cfgs = json::parse(p.api_configs_json, ec);
  json::object o{{"ENABLE_OPENAI_API", p.enable},
                 {"OPENAI_API_BASE_URLS", std::move(urls)},
                 {"OPENAI_API_KEYS", std::move(keys)},
                 {"OPENAI_API_CONFIGS", (!ec && cfgs.is_object()) ? cfgs : json::object{}}};
  return json::serialize(o);
}

std::optional<provider_config> parse_openai_config_update(std::string_view body,
                                                          const provider_config& current,
                                                          std::string& error) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    error = "request body must be a JSON object";
    return std::nullopt;
  }
  auto& o = v.as_object();
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
    if (!u.is_string()) {
      error = "OPENAI_API_BASE_URLS[" + std::to_string(i) + "] must be a string";
      return std::nullopt;
    }
    std::string why;
    if (!parse_upstream_url(std::string_view(u.as_string()), why)) {
      error = "OPENAI_API_BASE_URLS[" + std::to_string(i) + "] is not a valid URL: " + why;
      return std::nullopt;
    }
    next.base_urls.emplace_back(u.as_string());
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
      std::string k(arr[i].as_string());
      secret_string key(k);
      // An admin UI echoes what GET returned: a mask keeps the stored key it stands for.
      if (k.starts_with("****")) {
        if (i < current.api_keys.size() && current.api_keys[i].masked() == k) {
          key = current.api_keys[i];
        } else {
          for (auto& stored : current.api_keys)
            if (stored.masked() == k) {
              key = stored;
              break;
            }
        }
      }
      next.api_keys.push_back(std::move(key));
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
        configs[idx] = *entry;
      }
    }
  }
  next.api_configs_json = json::serialize(configs);
  return next;
}

}  // namespace sb
