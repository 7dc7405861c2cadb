#include "storage/config_records.hpp"

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>

namespace sb {

namespace json = boost::json;

namespace {

provider_config& family_of(gateway_config& cfg, provider_kind kind) {
  return kind == provider_kind::openai ? cfg.openai : cfg.ollama;
}

// The config entry of connection `idx`: by its index, else (older forms) by its URL.
json::object entry_of(const json::object& all, std::size_t idx, const std::string& url) {
  if (auto* v = all.if_contains(std::to_string(idx)); v && v->is_object()) return v->as_object();
  if (auto* v = all.if_contains(url); v && v->is_object()) return v->as_object();
  return {};
}

struct stored_connection {
  std::string id;
  std::size_t position = 0;
  std::string url;
  std::string key;
  json::object config;
};

bool read_connection(const record& r, provider_kind& kind, stored_connection& c) {
  boost::system::error_code ec;
  auto v = json::parse(r.data, ec);
  if (ec || !v.is_object()) return false;
  auto& o = v.as_object();
  auto* family = o.if_contains("family");
  auto* position = o.if_contains("position");
  auto* url = o.if_contains("url");
  if (!family || !family->is_string() || !position || !position->is_number() || !url ||
      !url->is_string())
    return false;
  if (family->as_string() == "openai")
    kind = provider_kind::openai;
  else if (family->as_string() == "ollama")
    kind = provider_kind::ollama;
  else
    return false;
  c.id = r.id;
  boost::system::error_code bad;
  c.position = position->to_number<std::size_t>(bad);
  if (bad || c.position > 100'000) return false;
  c.url = std::string(url->as_string());
  if (auto* k = o.if_contains("key"); k && k->is_string()) c.key = std::string(k->as_string());
  if (auto* cfg = o.if_contains("config"); cfg && cfg->is_object()) c.config = cfg->as_object();
  return true;
}

}  // namespace

std::vector<record> family_records(const gateway_config& cfg, provider_kind kind,
                                   const record_version& version) {
  auto& p = kind == provider_kind::openai ? cfg.openai : cfg.ollama;
  std::vector<record> out;
  // The family lists its connections: when two nodes wrote the family at once, the one whose
  // write wins names the connections, and the other's are not mixed in.
  json::array ids;
  for (std::size_t i = 0; i < p.base_urls.size() && i < p.ids.size(); ++i) ids.push_back(json::string(p.ids[i]));
  out.push_back({std::string(provider_kind_name), to_string(kind), version, false,
                 json::serialize(json::object{{"enable", p.enable}, {"ids", std::move(ids)}})});
  json::object all;
  boost::system::error_code ec;
  if (auto parsed = json::parse(p.api_configs_json, ec); !ec && parsed.is_object())
    all = std::move(parsed.as_object());
  for (std::size_t i = 0; i < p.base_urls.size() && i < p.ids.size(); ++i) {
    json::object o{{"family", to_string(kind)},
                   {"position", i},
                   {"url", p.base_urls[i]},
                   {"config", entry_of(all, i, p.base_urls[i])}};
    if (i < p.api_keys.size() && !p.api_keys[i].empty()) o["key"] = p.api_keys[i].reveal();
    out.push_back({std::string(connection_kind_name), p.ids[i], version, false,
                   json::serialize(o)});
  }
  return out;
}

bool config_from_records(const std::vector<record>& providers,
                         const std::vector<record>& connections, gateway_config& out,
                         std::string& error) {
  // Per family, the connection ids it lists (none listed: an older release's record, which
  // takes every live connection of the family).
  std::optional<std::set<std::string>> listed[2];
  for (auto& r : providers) {
    if (r.deleted) continue;
    auto kind = r.id == "openai" ? provider_kind::openai : provider_kind::ollama;
    if (r.id != "openai" && r.id != "ollama") continue;
    boost::system::error_code ec;
    auto v = json::parse(r.data, ec);
    auto& p = family_of(out, kind);
    if (!ec && v.is_object()) {
      auto& o = v.as_object();
      if (auto* e = o.if_contains("enable"); e && e->is_bool()) p.enable = e->as_bool();
      if (auto* ids = o.if_contains("ids"); ids && ids->is_array()) {
        auto& set = listed[static_cast<int>(kind)].emplace();
        for (auto& id : ids->as_array())
          if (id.is_string()) set.insert(std::string(id.as_string()));
      }
    }
    p.version = r.version.stamp;
    out.version = std::max(out.version, r.version.stamp);
  }
  std::map<std::pair<provider_kind, std::size_t>, stored_connection> ordered;
  for (auto& r : connections) {
    if (r.deleted) continue;
    provider_kind kind{};
    stored_connection c;
    if (!read_connection(r, kind, c)) {
      error = "stored connection '" + r.id + "' is not in the expected shape";
      return false;
    }
    if (auto& ids = listed[static_cast<int>(kind)]; ids && !ids->count(c.id)) continue;
    ordered[{kind, c.position}] = std::move(c);
  }
  json::object configs[2];
  for (auto& [at, c] : ordered) {
    auto& p = family_of(out, at.first);
    auto& all = configs[static_cast<int>(at.first)];
    if (!c.config.empty()) all[std::to_string(p.base_urls.size())] = std::move(c.config);
    p.base_urls.push_back(std::move(c.url));
    p.ids.push_back(std::move(c.id));
    if (at.first == provider_kind::openai) p.api_keys.emplace_back(std::move(c.key));
  }
  out.openai.api_configs_json = json::serialize(configs[0]);
  out.ollama.api_configs_json = json::serialize(configs[1]);
  return true;
}

}  // namespace sb
