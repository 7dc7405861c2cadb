#pragma once
// The live configuration, in Open WebUI's own shapes so that its admin UI and env vars map 1:1.
// `api_configs_json` keeps OPENAI_API_CONFIGS / OLLAMA_API_CONFIGS as the JSON object text Open
// WebUI stores (keys "0", "1", ... or legacy URL keys), so unknown per-connection keys round-trip
// untouched; config/connection_spec.hpp derives typed per-connection specs from it.
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "messages/secret_string.hpp"

namespace sb {

enum class provider_kind : std::uint8_t { openai = 0, ollama = 1 };

inline const char* to_string(provider_kind k) {
  return k == provider_kind::openai ? "openai" : "ollama";
}

/// One provider family's settings: ENABLE_*_API, *_BASE_URLS, *_API_KEYS, *_API_CONFIGS.
struct provider_config {
  bool enable = true;
  std::vector<std::string> base_urls;
  std::vector<secret_string> api_keys;  // parallel to base_urls (Ollama keys live in api_configs)
  std::string api_configs_json = "{}";
  // Each connection's stable id, parallel to base_urls (config/connection_ids.hpp).
  std::vector<std::string> ids;
  // The hybrid-clock stamp of the last write to this family (storage/hybrid_clock.hpp): its
  // ETag; an update made from an older one is refused (If-Match).
  std::uint64_t version = 0;

  friend bool operator==(const provider_config&, const provider_config&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_config& x) {
  return f(caf::meta::type_name("provider_config"), x.enable, x.base_urls, x.api_keys,
           x.api_configs_json, x.ids, x.version);
}

/// The whole persisted configuration. `version` is the hybrid-clock stamp of its last write (the
/// newer of its families'), so a peer or a compare-and-swap edit can tell which one it has seen.
struct gateway_config {
  std::uint64_t version = 0;
  provider_config openai;
  provider_config ollama;

  friend bool operator==(const gateway_config&, const gateway_config&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gateway_config& x) {
  return f(caf::meta::type_name("gateway_config"), x.version, x.openai, x.ollama);
}

/// How an admin's edit of one provider family ended (config_actor's answer to update).
enum class update_outcome : std::uint8_t {
  applied,   // durable, broadcast; `config` is the new configuration
  invalid,   // the form was refused (400); `error` says why
  conflict,  // If-Match named a version that is not current (412); `config` is the current one
  failed,    // it could not be stored (500); `error` says why
};

struct config_update_result {
  update_outcome outcome = update_outcome::failed;
  gateway_config config;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, config_update_result& x) {
  return f(caf::meta::type_name("config_update_result"), x.outcome, x.config, x.error);
}

}  // namespace sb
