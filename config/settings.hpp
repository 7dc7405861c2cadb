#pragma once
// Process settings read once at start-up from flags and environment (never persisted): where to
// listen, where the data lives, threads, timeouts and limits. Persisted, hot-reloadable provider
// configuration is gateway_config (messages/config_types.hpp), owned by the config actor.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>

#include "messages/secret_string.hpp"
#include <vector>

#include "config/env_seed.hpp"
#include "config/lb_policy.hpp"

namespace sb {

struct settings {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;
  std::string data_dir = "./data";
  std::string log_level = "info";
  unsigned io_threads = 0;        // 0: one per core
  unsigned caf_threads = 1;       // actors are off the hot path; more workers only add wake-ups
  bool webui_auth = true;         // WEBUI_AUTH: accounts (False: Open WebUI's single-user mode)
  // Per-model access control (http/auth/model_access.hpp): BYPASS_MODEL_ACCESS_CONTROL turns it
  // off for everyone; BYPASS_ADMIN_ACCESS_CONTROL (ENABLE_ADMIN_WORKSPACE_CONTENT_ACCESS) lets
  // admins see and use every model.
  bool bypass_model_access = false;
  bool bypass_admin_access = true;
  // MODEL_ORDER_LIST (a JSON array of ids): /api/models lists these first, in this order.
  std::vector<std::string> model_order;
  // METRICS_API_KEY: with WEBUI_AUTH, the bearer token that reads /metrics besides an admin.
  secret_string metrics_api_key;
  bool persistent_config = true;  // ENABLE_PERSISTENT_CONFIG
  bool reset_config_on_start = false;                          // RESET_CONFIG_ON_START
  bool verify_tls = true;                                      // AIOHTTP_CLIENT_SESSION_SSL
  std::chrono::milliseconds models_refresh{10'000};            // MODELS_REFRESH_INTERVAL (seconds)
  // How long a connection whose list cannot be fetched keeps its models listed and routed.
  std::chrono::milliseconds models_stale_ttl{600'000};  // MODELS_STALE_TTL (seconds; 0: for ever)
  std::chrono::milliseconds model_list_timeout{10'000};        // AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST
  std::chrono::milliseconds upstream_connect_timeout{10'000};  // UPSTREAM_CONNECT_TIMEOUT
  std::chrono::milliseconds upstream_response_timeout{
      300'000};  // AIOHTTP_CLIENT_TIMEOUT: the default of the two phases below
  // Timeouts per phase of a relayed request (seconds): the first byte of the answer after the
  // request was sent (UPSTREAM_FIRST_BYTE_TIMEOUT), the gap between two reads of the answer
  // (UPSTREAM_IDLE_TIMEOUT), the whole of a non-streamed answer (UPSTREAM_TOTAL_TIMEOUT, 0: off)
  // and of a streamed one (UPSTREAM_STREAM_TOTAL_TIMEOUT, 0: off, a long generation is not slow).
  std::chrono::milliseconds upstream_first_byte_timeout{300'000};
  std::chrono::milliseconds upstream_idle_timeout{300'000};
  std::chrono::milliseconds upstream_total_timeout{0};
  std::chrono::milliseconds upstream_stream_total_timeout{0};
  std::chrono::milliseconds client_header_timeout{10'000};  // CLIENT_HEADER_TIMEOUT
  std::chrono::milliseconds client_idle_timeout{60'000};    // CLIENT_IDLE_TIMEOUT (keep-alive)
  std::chrono::milliseconds drain_timeout{30'000};          // DRAIN_TIMEOUT
  std::uint64_t max_request_body = 64ull << 20;             // MAX_REQUEST_BODY (bytes)
  // Pipelines filters: each call's whole time (PIPELINE_FILTER_TIMEOUT, seconds) and the largest
  // body one may answer (PIPELINE_FILTER_MAX_BODY, bytes; default MAX_REQUEST_BODY).
  std::chrono::milliseconds pipeline_filter_timeout{60'000};
  std::uint64_t pipeline_filter_max_body = 64ull << 20;
  std::uint32_t max_request_header = 16u << 10;
  std::uint32_t max_header_fields = 100;  // a request with more is refused with 431
  // Bytes held whole in memory at once across all requests (bodies of requests and of
  // non-streamed answers); past it a request gets 503 with Retry-After. 0: derived from RAM.
  std::uint64_t max_buffered_bytes = 0;  // MAX_BUFFERED_BYTES
  // Client connections served at once; past it new ones are closed at once (an idle keep-alive
  // one is closed to make room first). 0: derived from the descriptor limit.
  std::uint32_t max_connections = 0;  // MAX_CONNECTIONS
  // Link-local and cloud-metadata addresses (169.254.169.254, fe80::/10, metadata.google.internal)
  // as upstreams: refused unless an admin opts in. Loopback and private networks are allowed.
  bool allow_link_local_upstreams = false;  // ALLOW_LINK_LOCAL_UPSTREAMS
  bool openai_passthrough = false;          // ENABLE_OPENAI_API_PASSTHROUGH: /openai/{path}
  // How a model served by several connections spreads its requests (LOAD_BALANCING_POLICY), and
  // per model id (LOAD_BALANCING_POLICY_BY_MODEL, a JSON object {"model id": "policy"}).
  lb_policy balancing = lb_policy::least_cost;  // best or near best in every bench scenario
  std::map<std::string, lb_policy, std::less<>> balancing_by_model;
  // Retries before the first byte reached the client: attempts in all (RETRY_MAX_ATTEMPTS) and
  // how long after the request a new attempt may still start (RETRY_DEADLINE, seconds).
  unsigned retry_max_attempts = 3;
  std::chrono::milliseconds retry_deadline{30'000};
  // Outlier ejection: a connection failing this many requests in a row (5xx, timeouts, broken or
  // refused connections) is ejected, first for the base time, twice as long each time it is
  // ejected again, at most the max (OUTLIER_CONSECUTIVE_FAILURES, OUTLIER_BASE_EJECTION,
  // OUTLIER_MAX_EJECTION, seconds).
  unsigned outlier_consecutive_failures = 5;
  std::chrono::milliseconds outlier_base_ejection{2'000};
  std::chrono::milliseconds outlier_max_ejection{60'000};
  // ENABLE_FORWARD_USER_INFO_HEADERS: every upstream request says who it is for, under Open
  // WebUI's header names (FORWARD_USER_INFO_HEADER_USER_NAME..., FORWARD_SESSION_INFO_HEADER_*).
  // The chat and message ids are read from the client's request under the same names.
  bool forward_user_info = false;
  struct user_info_header_names {
    std::string user_name = "X-OpenWebUI-User-Name";
    std::string user_id = "X-OpenWebUI-User-Id";
    std::string user_email = "X-OpenWebUI-User-Email";
    std::string user_role = "X-OpenWebUI-User-Role";
    std::string chat_id = "X-OpenWebUI-Chat-Id";
    std::string message_id = "X-OpenWebUI-Message-Id";
  } user_info_headers;
  // The host name browsers use for the gateway (from Open WebUI's WEBUI_URL), besides IP
  // addresses and localhost: browser requests that change state must name one of them.
  std::string public_host;
  std::vector<std::string> allowed_hosts;  // ALLOWED_HOSTS: more names browsers may use

  // ACCESS_LOG=true: one JSON line per request on stdout; ACCESS_LOG_FILE: appended to that file
  // instead (and on without ACCESS_LOG).
  bool access_log = false;
  std::string access_log_file;
  bool usage_tracking = true;           // USAGE_TRACKING: metered requests are rolled up
  unsigned usage_retention_days = 90;   // USAGE_RETENTION_DAYS
  bool ask_stream_usage = true;         // ASK_STREAM_USAGE: streams are asked for their usage
  // LIMITS_DEFAULT_MAX_TOKENS: the output a request reserves against its token limits when it
  // does not say (and its model's rule does not either)
  std::uint64_t limits_default_max_tokens = 4096;
  // A cluster of gateways (actors/cluster_actor.hpp): config/cluster_settings.cpp reads them.
  struct cluster_peer {
    std::string host;
    std::uint16_t port = 0;
  };
  struct cluster_settings {
    bool enabled = false;            // a port or a peer given
    std::uint16_t port = 0;          // CLUSTER_PORT: where this node's gate is published
    std::string host = "127.0.0.1";  // CLUSTER_HOST: the address it listens on
    std::vector<cluster_peer> peers;  // CLUSTER_PEERS: host:port,...
    std::string node_id;             // CLUSTER_NODE_ID; empty: the one kept in the database
    secret_string secret;            // CLUSTER_SECRET
    bool majority = false;           // CLUSTER_WRITE_QUORUM=majority
    std::chrono::milliseconds quorum_timeout{5000};  // CLUSTER_QUORUM_TIMEOUT (seconds)
    // CLUSTER_TLS_CERT, CLUSTER_TLS_KEY, CLUSTER_TLS_CA (PEM paths): the links run over TLS,
    // each side showing its certificate and checking the other's against the CA.
    std::string tls_cert, tls_key, tls_ca;
    bool tls() const { return !tls_cert.empty(); }
  } cluster;
  // Accounts (WEBUI_AUTH=True): config/account_settings.cpp reads them.
  struct account_settings {
    secret_string secret_key;  // WEBUI_SECRET_KEY; empty: kept in DATA_DIR/.webui_secret_key
    // JWT_EXPIRES_IN ("4w", "1h30m", "-1" or "0": never): a token's lifetime, 0 for never.
    std::chrono::seconds token_lifetime{28 * 24 * 3600};
    bool enable_signup = true;      // ENABLE_SIGNUP: anyone may sign up after the first user
    std::string default_role = "pending";  // DEFAULT_USER_ROLE: such a user's role
    bool enable_api_keys = true;    // ENABLE_API_KEY (Open WebUI's newer ENABLE_API_KEYS too)
    // ENABLE_API_KEY_ENDPOINT_RESTRICTIONS with API_KEY_ALLOWED_ENDPOINTS (comma-separated
    // paths; a path is allowed when it is one or lies under one).
    bool key_endpoint_restrictions = false;
    std::vector<std::string> key_allowed_endpoints;
    // WEBUI_ADMIN_EMAIL, WEBUI_ADMIN_PASSWORD, WEBUI_ADMIN_NAME: the admin made on first start.
    std::string admin_email;
    secret_string admin_password;
    std::string admin_name = "Admin";
    // USER_PERMISSIONS_*: what users may do beyond their role until an admin stores otherwise
    // (config/user_permissions.hpp), as a JSON object's text.
    std::string default_permissions;
  } accounts;

  /// Names (besides IP addresses and localhost) a browser may use to change state here.
  const std::vector<std::string>& browser_hosts() const { return allowed_hosts; }
};

/// Parses flags (--host, --port, --data-dir, --threads, --log-level) over environment variables
/// (HOST, PORT, DATA_DIR, THREADS, GLOBAL_LOG_LEVEL, ...). Returns the settings, or an error text
/// naming the bad value; "help" when --help was asked for.
std::variant<settings, std::string> parse_settings(int argc, char** argv, const env_lookup& env);

const char* usage_text();

}  // namespace sb
