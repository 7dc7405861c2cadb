#include "config/settings.hpp"

#include "config/account_settings.hpp"
#include "config/cluster_settings.hpp"

#include "config/connection_spec.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <string_view>
#include <tuple>

namespace sb {

namespace {

std::string policy_names() {
  std::string out;
  for (auto p : all_lb_policies) {
    if (!out.empty()) out += ", ";
    out += to_string(p);
  }
  return out;
}

template <class T>
bool parse_number(std::string_view s, T& out, T min, T max) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < min || v > max) return false;
  out = v;
  return true;
}

bool parse_seconds(std::string_view s, std::chrono::milliseconds& out) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0 || v > 86400 * 7) return false;
  out = std::chrono::milliseconds(static_cast<long long>(v * 1000));
  return true;
}

bool valid_level(std::string_view l) {
  for (auto x : {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"})
    if (l == x) return true;
  return false;
}

}  // namespace

const char* usage_text() {
  return "usage: switchboard [--host ADDR] [--port N] [--data-dir DIR] [--threads N]\n"
         "                   [--log-level trace|debug|info|warn|error]\n"
         "Environment: HOST, PORT, DATA_DIR, THREADS, GLOBAL_LOG_LEVEL, WEBUI_AUTH,\n"
         "  OPENAI_API_BASE_URLS, OPENAI_API_KEYS, OPENAI_API_CONFIGS, ENABLE_OPENAI_API,\n"
         "  OLLAMA_BASE_URLS, OLLAMA_API_CONFIGS, ENABLE_OLLAMA_API, RESET_CONFIG_ON_START,\n"
         "  AIOHTTP_CLIENT_SESSION_SSL, AIOHTTP_CLIENT_TIMEOUT, MODELS_REFRESH_INTERVAL,\n"
         "  MAX_CONNECTIONS, MAX_BUFFERED_BYTES, ALLOW_LINK_LOCAL_UPSTREAMS, ...\n";
}

std::variant<settings, std::string> parse_settings(int argc, char** argv, const env_lookup& env) {
  settings s;
  std::string host = env("HOST").value_or(s.host);
  std::string port = env("PORT").value_or("8080");
  std::string data_dir = env("DATA_DIR").value_or(s.data_dir);
  std::string threads = env("THREADS").value_or("0");
  std::string level = env("GLOBAL_LOG_LEVEL").value_or("info");
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") return std::string("help");
    auto take = [&](std::string& dst) -> bool {
      if (auto eq = a.find('='); eq != std::string_view::npos) {
        dst = std::string(a.substr(eq + 1));
        return true;
      }
      if (i + 1 >= argc) return false;
      dst = argv[++i];
      return true;
    };
    auto is = [&](std::string_view name) {
      return a == name || a.starts_with(std::string(name) + "=");
    };
    bool ok = true;
    if (is("--host"))
      ok = take(host);
    else if (is("--port"))
      ok = take(port);
    else if (is("--data-dir"))
      ok = take(data_dir);
    else if (is("--threads"))
      ok = take(threads);
    else if (is("--log-level"))
      ok = take(level);
    else
      return "unknown argument '" + std::string(a) + "'";
    if (!ok) return "missing value for " + std::string(a);
  }
  s.host = host;
  if (host.empty()) return std::string("invalid host: empty");
  if (!parse_number<std::uint16_t>(port, s.port, 0, 65535))
    return "invalid port '" + port + "': expected an integer 0-65535";
  if (data_dir.empty()) return std::string("invalid data dir: empty");
  s.data_dir = data_dir;
  if (!parse_number<unsigned>(threads, s.io_threads, 0, 256))
    return "invalid thread count '" + threads + "': expected an integer 0-256";
  for (auto& c : level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!valid_level(level))
    return "invalid log level '" + level + "': expected trace, debug, info, warn, error or off";
  s.log_level = level == "warning" ? "warn" : level;

  s.webui_auth = env_flag(env, "WEBUI_AUTH", true);
  s.bypass_model_access = env_flag(env, "BYPASS_MODEL_ACCESS_CONTROL", false);
  s.bypass_admin_access =
      env_flag(env, "BYPASS_ADMIN_ACCESS_CONTROL",
               env_flag(env, "ENABLE_ADMIN_WORKSPACE_CONTENT_ACCESS", true));
  if (auto why = read_account_settings(env, s.accounts); !why.empty()) return why;
  if (auto why = read_cluster_settings(env, s.cluster); !why.empty()) return why;
  if (auto v = env("METRICS_API_KEY"); v && !v->empty()) s.metrics_api_key = secret_string(*v);
  s.persistent_config = env_flag(env, "ENABLE_PERSISTENT_CONFIG", true);
  s.reset_config_on_start = env_flag(env, "RESET_CONFIG_ON_START", false);
  s.verify_tls = env_flag(env, "AIOHTTP_CLIENT_SESSION_SSL", true);

  struct duration_var {
    const char* name;
    std::chrono::milliseconds* dst;
  };
  for (auto [name, dst] : {duration_var{"MODELS_REFRESH_INTERVAL", &s.models_refresh},
                           duration_var{"AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST", &s.model_list_timeout},
                           duration_var{"UPSTREAM_CONNECT_TIMEOUT", &s.upstream_connect_timeout},
                           duration_var{"AIOHTTP_CLIENT_TIMEOUT", &s.upstream_response_timeout},
                           duration_var{"CLIENT_HEADER_TIMEOUT", &s.client_header_timeout},
                           duration_var{"CLIENT_IDLE_TIMEOUT", &s.client_idle_timeout},
                           duration_var{"DRAIN_TIMEOUT", &s.drain_timeout},
                           duration_var{"PIPELINE_FILTER_TIMEOUT", &s.pipeline_filter_timeout},
                           duration_var{"RETRY_DEADLINE", &s.retry_deadline},
                           duration_var{"OUTLIER_BASE_EJECTION", &s.outlier_base_ejection},
                           duration_var{"OUTLIER_MAX_EJECTION", &s.outlier_max_ejection}}) {
    auto v = env(name);
    if (!v || v->empty()) continue;
    if (!parse_seconds(*v, *dst) || dst->count() == 0)
      return std::string("invalid ") + name + " '" + *v +
             "': expected a positive number of seconds";
  }
  s.upstream_first_byte_timeout = s.upstream_idle_timeout = s.upstream_response_timeout;
  for (auto [name, dst, zero_ok] :
       {std::tuple{"UPSTREAM_FIRST_BYTE_TIMEOUT", &s.upstream_first_byte_timeout, false},
        std::tuple{"UPSTREAM_IDLE_TIMEOUT", &s.upstream_idle_timeout, false},
        std::tuple{"UPSTREAM_TOTAL_TIMEOUT", &s.upstream_total_timeout, true},
        std::tuple{"UPSTREAM_STREAM_TOTAL_TIMEOUT", &s.upstream_stream_total_timeout, true},
        std::tuple{"MODELS_STALE_TTL", &s.models_stale_ttl, true}}) {
    auto v = env(name);
    if (!v || v->empty()) continue;
    if (!parse_seconds(*v, *dst) || (!zero_ok && dst->count() == 0))
      return std::string("invalid ") + name + " '" + *v + "': expected " +
             (zero_ok ? "seconds (0: off)" : "a positive number of seconds");
  }
  // Open WebUI's MODELS_CACHE_TTL (how stale a model list may be) sets the background refresh
  // when MODELS_REFRESH_INTERVAL does not; like Open WebUI, an unusable value is ignored.
  if (auto ttl = env("MODELS_CACHE_TTL"); ttl && !ttl->empty() && !env("MODELS_REFRESH_INTERVAL")) {
    std::chrono::milliseconds v{};
    if (parse_seconds(*ttl, v) && v.count() > 0) s.models_refresh = std::max(v, std::chrono::milliseconds(1000));
  }
  if (s.models_refresh < std::chrono::milliseconds(100))
    s.models_refresh = std::chrono::milliseconds(100);
  if (auto v = env("MAX_REQUEST_BODY"); v && !v->empty())
    if (!parse_number<std::uint64_t>(*v, s.max_request_body, 1024, 1ull << 34))
      return "invalid MAX_REQUEST_BODY '" + *v + "': expected bytes, 1024-16GiB";
  s.pipeline_filter_max_body = s.max_request_body;
  if (auto v = env("PIPELINE_FILTER_MAX_BODY"); v && !v->empty())
    if (!parse_number<std::uint64_t>(*v, s.pipeline_filter_max_body, 1024, 1ull << 34))
      return "invalid PIPELINE_FILTER_MAX_BODY '" + *v + "': expected bytes, 1024-16GiB";
  if (auto v = env("MAX_BUFFERED_BYTES"); v && !v->empty())
    if (!parse_number<std::uint64_t>(*v, s.max_buffered_bytes, 1ull << 20, 1ull << 40))
      return "invalid MAX_BUFFERED_BYTES '" + *v + "': expected bytes, 1MiB-1TiB";
  if (auto v = env("MAX_CONNECTIONS"); v && !v->empty())
    if (!parse_number<std::uint32_t>(*v, s.max_connections, 1, 10'000'000))
      return "invalid MAX_CONNECTIONS '" + *v + "': expected a positive integer";
  s.allow_link_local_upstreams = env_flag(env, "ALLOW_LINK_LOCAL_UPSTREAMS", false);
  s.openai_passthrough = env_flag(env, "ENABLE_OPENAI_API_PASSTHROUGH", false);
  s.forward_user_info = env_flag(env, "ENABLE_FORWARD_USER_INFO_HEADERS", false);
  if (auto v = env("ACCESS_LOG_FILE"); v && !v->empty()) s.access_log_file = *v;
  s.access_log = env_flag(env, "ACCESS_LOG", false) || !s.access_log_file.empty();
  s.usage_tracking = env_flag(env, "USAGE_TRACKING", true);
  s.ask_stream_usage = env_flag(env, "ASK_STREAM_USAGE", true);
  if (auto v = env("LIMITS_DEFAULT_MAX_TOKENS"); v && !v->empty())
    if (!parse_number<std::uint64_t>(*v, s.limits_default_max_tokens, 0, 1ull << 32))
      return "invalid LIMITS_DEFAULT_MAX_TOKENS '" + *v + "': expected a number of tokens";
  if (auto v = env("USAGE_RETENTION_DAYS"); v && !v->empty())
    if (!parse_number<unsigned>(*v, s.usage_retention_days, 32, 36'500))
      return "invalid USAGE_RETENTION_DAYS '" + *v +
             "': expected days, 32-36500 (a month's budget reads its whole month)";
  if (auto v = env("LOAD_BALANCING_POLICY"); v && !v->empty()) {
    auto p = parse_lb_policy(*v);
    if (!p) return "invalid LOAD_BALANCING_POLICY '" + *v + "': expected " + policy_names();
    s.balancing = *p;
  }
  if (auto v = env("LOAD_BALANCING_POLICY_BY_MODEL"); v && !v->empty()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(*v, ec);
    if (ec || !parsed.is_object())
      return "invalid LOAD_BALANCING_POLICY_BY_MODEL: expected a JSON object {\"model\": \"policy\"}";
    for (auto& [model, name] : parsed.as_object()) {
      auto p = name.is_string() ? parse_lb_policy(std::string_view(name.as_string())) : std::nullopt;
      if (!p)
        return "invalid LOAD_BALANCING_POLICY_BY_MODEL for '" + std::string(model) +
               "': expected " + policy_names();
      s.balancing_by_model.emplace(std::string(model), *p);
    }
  }
  if (auto v = env("MODEL_ORDER_LIST"); v && !v->empty()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(*v, ec);
    if (ec || !parsed.is_array())
      return "invalid MODEL_ORDER_LIST: expected a JSON array of model ids";
    for (auto& id : parsed.as_array())
      if (id.is_string()) s.model_order.emplace_back(id.as_string());
  }
  if (auto v = env("RETRY_MAX_ATTEMPTS"); v && !v->empty())
    if (!parse_number<unsigned>(*v, s.retry_max_attempts, 1, 100))
      return "invalid RETRY_MAX_ATTEMPTS '" + *v + "': expected 1-100";
  if (auto v = env("OUTLIER_CONSECUTIVE_FAILURES"); v && !v->empty())
    if (!parse_number<unsigned>(*v, s.outlier_consecutive_failures, 1, 1'000'000))
      return "invalid OUTLIER_CONSECUTIVE_FAILURES '" + *v + "': expected a positive integer";
  struct header_name_var {
    const char* name;
    std::string* dst;
  };
  auto& h = s.user_info_headers;
  for (auto [name, dst] : {header_name_var{"FORWARD_USER_INFO_HEADER_USER_NAME", &h.user_name},
                           header_name_var{"FORWARD_USER_INFO_HEADER_USER_ID", &h.user_id},
                           header_name_var{"FORWARD_USER_INFO_HEADER_USER_EMAIL", &h.user_email},
                           header_name_var{"FORWARD_USER_INFO_HEADER_USER_ROLE", &h.user_role},
                           header_name_var{"FORWARD_SESSION_INFO_HEADER_CHAT_ID", &h.chat_id},
                           header_name_var{"FORWARD_SESSION_INFO_HEADER_MESSAGE_ID", &h.message_id}}) {
    auto v = env(name);
    if (!v || v->empty()) continue;
    if (!is_header_token(*v) || reserved_header_name(*v))
      return std::string("invalid ") + name + " '" + *v + "': expected a header name";
    *dst = *v;
  }
  if (auto v = env("WEBUI_URL"); v && !v->empty()) {
    auto u = boost::urls::parse_absolute_uri(*v);
    if (!u || u->encoded_host().empty())
      return "invalid WEBUI_URL '" + *v + "': expected an absolute URL such as https://chat.example";
    s.public_host = std::string(u->encoded_host());
  }
  if (!s.public_host.empty()) s.allowed_hosts.push_back(s.public_host);
  if (auto v = env("ALLOWED_HOSTS"); v && !v->empty()) {
    std::size_t start = 0;
    while (start <= v->size()) {
      auto end = v->find(',', start);
      auto name = v->substr(start, end == std::string::npos ? std::string::npos : end - start);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) s.allowed_hosts.push_back(name);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return s;
}

}  // namespace sb
