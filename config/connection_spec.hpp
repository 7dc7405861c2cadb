#pragma once
// A typed view of one configured connection, derived from gateway_config the way Open WebUI reads
// OPENAI_API_CONFIGS / OLLAMA_API_CONFIGS: per-index object keyed by str(idx), with the URL itself
// as the legacy fallback key.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/config_types.hpp"

namespace sb {

/// Identifies a connection the way Open WebUI does: its family and its index in *_BASE_URLS.
struct upstream_key {
  provider_kind kind = provider_kind::openai;
  int idx = 0;
  friend auto operator<=>(const upstream_key&, const upstream_key&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, upstream_key& x) {
  return f(caf::meta::type_name("upstream_key"), x.kind, x.idx);
}

/// How a connection authenticates: its key as a Bearer token (default), nothing, or the caller's
/// own credentials (session). Open WebUI's system_oauth and azure_ad need its sign-in or Azure's
/// credential chain, which this gateway does not have: such a connection is refused
/// (unsupported_auth), never run sending no credentials.
enum class auth_type { bearer, none, session, system_oauth, azure_ad };

struct connection_spec {
  upstream_key key;  // where it is listed now (urlIdx): changes when others are removed
  std::string id;    // what it is: stable across edits and reorders (config/connection_ids.hpp)
  std::string url;  // as configured, trailing '/' removed
  secret_string api_key;
  bool enable = true;
  std::string prefix_id;
  std::vector<std::string> model_ids;  // allow-list; for OpenAI also "do not call /models"
  std::string tags_json;               // JSON array text, empty when not configured
  std::string connection_type;         // "external" (OpenAI default) or "local" (Ollama default)
  auth_type auth = auth_type::bearer;
  bool azure = false;
  std::string api_version;
  std::vector<std::pair<std::string, std::string>> headers;  // custom headers, applied last
  // Balancing (http/balancing/pick.hpp): share under the weighted policy ("weight", 0-1000000,
  // default 1) and tier ("priority": lower serves first, default 0). Not Open WebUI keys.
  std::uint32_t weight = 1;
  std::int32_t priority = 0;
  // The project description's pipeline server (TOOL_SERVER_CONNECTIONS): it answers POST /inlet
  // and /outlet itself, run for every request of the unified chat route ("server_filters", OpenAI
  // connections only; not an Open WebUI key).
  bool server_filters = false;

  friend bool operator==(const connection_spec& a, const connection_spec& b);
};

/// Whether `a` and `b` are the same connection (id) reaching the upstream the same way (URL,
/// credentials, auth, headers, Azure settings): when they are, a change between them only changes
/// how the model list is presented or where it is listed, and the running connection (pool,
/// health, routing) is kept.
bool same_connection(const connection_spec& a, const connection_spec& b);

/// Every connection of `cfg` (enabled or not), in index order. A family whose ENABLE_* flag is off
/// yields its connections with enable=false, so indices stay aligned with Open WebUI's urlIdx.
std::vector<connection_spec> connection_specs(const gateway_config& cfg);

/// Header names a connection's own `headers` may not set: they frame the message or the connection
/// (two framings of one request is how requests are smuggled), or name the destination (a Host
/// header would have the stored key delivered to another site behind a shared front end, the URL
/// staying the same). connection_specs drops them; a config update naming one is refused.
bool reserved_header_name(std::string_view name);

/// Whether the connection is OpenAI's own API (api.openai.com), whose rules differ (its list's
/// unusable models are hidden; non-reasoning models keep max_completion_tokens).
bool is_official_openai(const connection_spec& spec);

/// Whether `name` is a header field name (an RFC 9110 token: letters, digits, !#$%&'*+-.^_`|~).
bool is_header_token(std::string_view name);

/// Why `spec`'s auth_type cannot be honoured here, or empty when it can.
std::string unsupported_auth(const connection_spec& spec);

/// Why an "auth_type" value from a config form is refused, or empty when it is accepted.
std::string refused_auth_type(std::string_view value);

/// Removes trailing slashes, as Open WebUI does when it joins "{url}/models".
std::string normalize_base_url(std::string url);

}  // namespace sb
