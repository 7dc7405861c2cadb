#include "config/connection_ids.hpp"

#include <boost/json.hpp>
#include <set>

#include "config/connection_spec.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// The id each entry of `configs` names, by position; the field is removed from the entries.
std::vector<std::string> named_ids(json::object& configs, std::size_t count) {
  std::vector<std::string> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto* entry = configs.if_contains(std::to_string(i));
    if (!entry || !entry->is_object()) continue;
    auto& e = entry->as_object();
    if (auto* id = e.if_contains(connection_id_field); id && id->is_string())
      out[i] = std::string(id->as_string());
    e.erase(connection_id_field);
  }
  return out;
}

}  // namespace

void assign_connection_ids(provider_config& next, const provider_config& before,
                           const std::function<std::string()>& new_id) {
  auto n = next.base_urls.size();
  json::object configs;
  boost::system::error_code ec;
  if (auto parsed = json::parse(next.api_configs_json, ec); !ec && parsed.is_object())
    configs = std::move(parsed.as_object());
  auto named = named_ids(configs, n);
  next.api_configs_json = json::serialize(configs);

  std::vector<std::string> old_urls;
  for (auto& u : before.base_urls) old_urls.push_back(normalize_base_url(u));
  std::set<std::string> unclaimed(before.ids.begin(), before.ids.end());
  auto old_index = [&](const std::string& id) -> std::size_t {
    for (std::size_t j = 0; j < before.ids.size(); ++j)
      if (before.ids[j] == id) return j;
    return before.ids.size();
  };
  next.ids.assign(n, std::string());
  auto claim = [&](std::size_t i, const std::string& id) {
    next.ids[i] = id;
    unclaimed.erase(id);
  };
  for (std::size_t i = 0; i < n; ++i)
    if (!named[i].empty() && unclaimed.count(named[i])) claim(i, named[i]);
  // Same URL: an old connection with the same key first, then any.
  for (int same_key = 1; same_key >= 0; --same_key)
    for (std::size_t i = 0; i < n; ++i) {
      if (!next.ids[i].empty()) continue;
      auto url = normalize_base_url(next.base_urls[i]);
      for (std::size_t j = 0; j < before.ids.size() && j < old_urls.size(); ++j) {
        if (!unclaimed.count(before.ids[j]) || old_urls[j] != url) continue;
        bool key_alike = j < before.api_keys.size() && i < next.api_keys.size() &&
                         before.api_keys[j] == next.api_keys[i];
        if (same_key && !key_alike) continue;
        claim(i, before.ids[j]);
        break;
      }
    }
  for (std::size_t i = 0; i < n; ++i)
    if (next.ids[i].empty() && i < before.ids.size() && unclaimed.count(before.ids[i]))
      claim(i, before.ids[i]);
  for (std::size_t i = 0; i < n; ++i)
    if (next.ids[i].empty()) {
      std::string id;
      do id = new_id();
      while (old_index(id) < before.ids.size() ||
             std::find(next.ids.begin(), next.ids.end(), id) != next.ids.end());
      next.ids[i] = id;
    }
}

}  // namespace sb
