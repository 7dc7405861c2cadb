#include "http/api/config_json.hpp"

#include <boost/json.hpp>

#include "config/connection_ids.hpp"
#include "config/masked_echo.hpp"
#include "config/secret_fields.hpp"
#include "http/server/json_numbers.hpp"
#include "http/upstream/upstream_address_policy.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// The keys of one family's admin form, as Open WebUI names them.
struct form_names {
  const char* enable;
  const char* urls;
  const char* keys;  // null: the family keeps its keys in the per-connection configs ("key")
  const char* configs;
};

form_names names_of(provider_kind kind) {
  if (kind == provider_kind::openai)
    return {"ENABLE_OPENAI_API", "OPENAI_API_BASE_URLS", "OPENAI_API_KEYS", "OPENAI_API_CONFIGS"};
  return {"ENABLE_OLLAMA_API", "OLLAMA_BASE_URLS", nullptr, "OLLAMA_API_CONFIGS"};
}

// Keys (Ollama's "key"), secret header values and credential-bearing legacy URL keys in the
// per-connection configs, masked.
json::object masked_configs(const std::string& text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  json::object out;
  if (ec || !parsed.is_object()) return out;
  for (auto& [key, entry] : parsed.as_object()) {
    json::value e = entry;
    if (e.is_object())
      if (auto* k = e.as_object().if_contains("key"); k && k->is_string() && !k->as_string().empty())
        *k = mask_secret(std::string_view(k->as_string()));
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
// An Azure connection puts each model id into the path as a deployment name: "." and ".." would
// be dot-segments there, and the request would go to another path of the resource.
bool deployment_ids_ok(const json::object& entry, const std::string& where, std::string& error) {
  auto* azure = entry.if_contains("azure");
  auto* ids = entry.if_contains("model_ids");
  if (!azure || !azure->is_bool() || !azure->as_bool() || !ids || !ids->is_array()) return true;
  for (auto& id : ids->as_array())
    if (id.is_string() && (id.as_string() == "." || id.as_string() == "..")) {
      error = where + ".model_ids: \"" + std::string(id.as_string()) +
              "\" cannot name an Azure deployment (it would be a dot-segment of the path)";
      return false;
    }
  return true;
}

bool read_config_entry(const form_names& names, const json::object& in, std::size_t idx,
                       const std::string& url, const masked_echo& echo, json::object& out,
                       std::string& error) {
  out = in;
  auto entry = std::string(names.configs) + "[\"" + std::to_string(idx) + "\"]";
  if (!deployment_ids_ok(out, entry, error)) return false;
  if (auto* k = out.if_contains("key"); k && !k->is_null()) {
    if (!k->is_string()) {
      error = entry + ".key must be a string";
      return false;
    }
    if (!k->as_string().empty()) {
      auto real = echo.key(std::string_view(k->as_string()), idx, url, error);
      if (!real) return false;
      *k = real->reveal();
    }
  }
  if (auto* a = out.if_contains("auth_type"); a && !a->is_null()) {
    auto why = a->is_string() ? refused_auth_type(std::string_view(a->as_string()))
                              : std::string("auth_type must be a string");
    if (!why.empty()) {
      error = entry + ": " + why;
      return false;
    }
  }
  if (auto* w = out.if_contains("weight"); w && !w->is_null()) {
    auto weight = json_double(*w);
    if (!weight || !(*weight >= 0 && *weight <= 1e6)) {
      error = entry + ".weight must be a number from 0 to 1000000";
      return false;
    }
  }
  if (auto* p = out.if_contains("priority"); p && !p->is_null()) {
    if (!p->is_int64() && !p->is_uint64()) {
      error = entry + ".priority must be an integer (lower serves first)";
      return false;
    }
  }
  auto* h = out.if_contains("headers");
  if (!h || h->is_null()) return true;
  auto where = entry + ".headers";
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

std::string render_provider_config(provider_kind kind, const provider_config& p) {
  auto names = names_of(kind);
  json::array urls, keys;
  for (auto& u : p.base_urls) urls.emplace_back(mask_url(u));
  json::object o{{names.enable, p.enable}, {names.urls, std::move(urls)}};
  if (names.keys) {
    for (auto& k : p.api_keys) keys.emplace_back(mask_secret(k.reveal()));
    o[names.keys] = std::move(keys);
  }
  auto stored = masked_configs(p.api_configs_json);
  // Each connection's stable id, in its entry (entries in index order): an admin UI that sends the
  // entry back with the form keeps the connection (its pool, health and metrics) whatever moved
  // around it.
  json::object configs;
  for (std::size_t i = 0; i < p.ids.size() && i < p.base_urls.size(); ++i) {
    auto idx = std::to_string(i);
    json::value entry = json::object{};
    if (auto* e = stored.if_contains(idx); e && e->is_object()) entry = std::move(*e);
    entry.as_object()[connection_id_field] = p.ids[i];
    configs[idx] = std::move(entry);
    stored.erase(idx);
  }
  for (auto& [key, entry] : stored) configs[key] = std::move(entry);  // (older URL-keyed forms)
  o[names.configs] = std::move(configs);
  return json::serialize(o);
}

std::optional<provider_config> parse_provider_config_update(provider_kind kind,
                                                            std::string_view body,
                                                            const provider_config& current,
                                                            bool allow_link_local,
                                                            std::string& error) {
  auto names = names_of(kind);
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    error = "request body must be a JSON object";
    return std::nullopt;
  }
  auto& o = v.as_object();
  masked_echo echo(kind, current);
  provider_config next;
  next.enable = current.enable;
  if (auto* e = o.if_contains(names.enable); e && !e->is_null()) {
    if (!e->is_bool()) {
      error = std::string(names.enable) + " must be a boolean";
      return std::nullopt;
    }
    next.enable = e->as_bool();
  }
  auto* urls = o.if_contains(names.urls);
  if (!urls || !urls->is_array()) {
    error = std::string(names.urls) + " must be a list of URLs";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < urls->as_array().size(); ++i) {
    auto& u = urls->as_array()[i];
    auto where = std::string(names.urls) + "[" + std::to_string(i) + "]";
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
  if (auto* keys = names.keys ? o.if_contains(names.keys) : nullptr; keys && !keys->is_null()) {
    if (!keys->is_array()) {
      error = std::string(names.keys) + " must be a list of strings";
      return std::nullopt;
    }
    auto& arr = keys->as_array();
    for (std::size_t i = 0; i < arr.size() && i < next.base_urls.size(); ++i) {
      if (!arr[i].is_string()) {
        error = std::string(names.keys) + "[" + std::to_string(i) + "] must be a string";
        return std::nullopt;
      }
      auto key = echo.key(std::string_view(arr[i].as_string()), i, next.base_urls[i], error);
      if (!key) return std::nullopt;
      next.api_keys.push_back(std::move(*key));
    }
  }
  if (names.keys) next.api_keys.resize(next.base_urls.size());
  json::object configs;
  if (auto* c = o.if_contains(names.configs); c && !c->is_null()) {
    if (!c->is_object()) {
      error = std::string(names.configs) + " must be an object";
      return std::nullopt;
    }
    for (std::size_t i = 0; i < next.base_urls.size(); ++i) {
      auto idx = std::to_string(i);
      if (auto* entry = c->as_object().if_contains(idx)) {
        if (!entry->is_object()) {
          error = std::string(names.configs) + "[\"" + idx + "\"] must be an object";
          return std::nullopt;
        }
        json::object checked;
        if (!read_config_entry(names, entry->as_object(), i, next.base_urls[i], echo, checked,
                               error))
          return std::nullopt;
        configs[idx] = std::move(checked);
      }
    }
  }
  next.api_configs_json = json::serialize(configs);
  return next;
}

}  // namespace sb
