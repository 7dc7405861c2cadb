#include "storage/schema_v1.hpp"

#include <boost/json.hpp>

#include "config/connection_ids.hpp"
#include "storage/config_records.hpp"

namespace sb {

namespace json = boost::json;

namespace {

constexpr std::string_view config_key = "config/current";
constexpr std::string_view version_key = "config/version";

bool decode_provider(const json::value& v, provider_config& p, const char* urls_name) {
  if (!v.is_object()) return false;
  auto& o = v.as_object();
  if (auto* e = o.if_contains("enable"); e && e->is_bool()) p.enable = e->as_bool();
  if (auto* u = o.if_contains(urls_name); u && u->is_array())
    for (auto& x : u->as_array()) {
      if (!x.is_string()) return false;
      p.base_urls.emplace_back(x.as_string());
    }
  if (auto* k = o.if_contains("api_keys"); k && k->is_array())
    for (auto& x : k->as_array())
      p.api_keys.emplace_back(x.is_string() ? std::string(x.as_string()) : "");
  if (auto* c = o.if_contains("api_configs"); c && c->is_object())
    p.api_configs_json = json::serialize(*c);
  return true;
}

bool upgrade_v1(const raw_reader& read, const std::string& node, migration_output& out,
                std::string& error) {
  out.erase = {std::string(config_key), std::string(version_key)};
  auto text = read(config_key);
  if (!text) return true;  // nothing was ever saved
  auto cfg = decode_schema_v1_config(*text);
  if (!cfg) {
    error = "the stored configuration (schema 1) is not valid JSON of the expected shape";
    return false;
  }
  hybrid_clock clock;
  for (auto kind : {provider_kind::openai, provider_kind::ollama}) {
    auto& p = kind == provider_kind::openai ? cfg->openai : cfg->ollama;
    assign_connection_ids(p, provider_config{}, [] { return random_hex_id(12); });
    auto records = family_records(*cfg, kind, {clock.tick(), node});
    out.records.insert(out.records.end(), records.begin(), records.end());
  }
  return true;
}

}  // namespace

std::optional<gateway_config> decode_schema_v1_config(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  gateway_config cfg;
  auto& o = v.as_object();
  auto* oa = o.if_contains("openai");
  auto* ol = o.if_contains("ollama");
  if (!oa || !ol || !decode_provider(*oa, cfg.openai, "api_base_urls") ||
      !decode_provider(*ol, cfg.ollama, "base_urls"))
    return std::nullopt;
  return cfg;
}

migration schema_v1_upgrade() { return {1, upgrade_v1}; }

}  // namespace sb
