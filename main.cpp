// switchboard: one LLM provider gateway in front of many Ollama and OpenAI-compatible upstreams.
// main wires the pieces: settings -> config store -> actors (CAF) -> HTTP server (Beast/Asio).
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/all.hpp>
#include <sys/stat.h>

#include <malloc.h>

#include <csignal>
#include <cstdlib>
#include <thread>

#include <sodium.h>

#include "actors/access_log_actor.hpp"
#include "actors/usage_actor.hpp"
#include "actors/limits_actor.hpp"
#include "http/server/request_log.hpp"
#include "actors/accounts_actor.hpp"
#include "actors/models_actor.hpp"
#include "actors/catalog_actor.hpp"
#include "actors/config_actor.hpp"
#include "actors/connection_manager.hpp"
#include "actors/control_plane_bridge.hpp"
#include "actors/core_watchdog.hpp"
#include "actors/cluster_start.hpp"
#include "config/settings.hpp"
#include "config/startup_config.hpp"
#include "http/api/config_json.hpp"
#include "http/api/router.hpp"
#include "http/auth/secret_key.hpp"
#include "http/auth/startup_accounts.hpp"
#include "http/server/resource_limits.hpp"
#include "http/upstream/model_fetch.hpp"
#include "http/server/runtime.hpp"
#include "http/server/server.hpp"
#include "http/upstream/upstream_address_policy.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_relay.hpp"

namespace {

int run(sb::settings s, const sb::env_lookup& env) {
  s.max_buffered_bytes = sb::resolve_buffer_budget(s.max_buffered_bytes);
  s.max_connections = sb::resolve_connection_limit(s.max_connections, s.max_buffered_bytes);
  spdlog::set_level(spdlog::level::from_str(s.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (!s.webui_auth) {
    boost::system::error_code ec;
    auto listen_on = boost::asio::ip::make_address(s.host, ec);
    if (ec || !listen_on.is_loopback())
      spdlog::warn(
          "single-user mode (WEBUI_AUTH=False) on {}, not a loopback address: everyone who can "
          "reach this port is the admin and can read and change the configuration. Listen on "
          "127.0.0.1 (HOST) or put authentication in front.",
          s.host);
  }
  if (sodium_init() < 0) {
    spdlog::critical("libsodium cannot start");
    return 1;
  }
  std::string error;
  auto records = sb::open_record_store(s.data_dir, error, s.cluster.node_id);
  if (!records) {
    spdlog::critical("{}", error);
    return 1;
  }
  auto store = std::make_shared<sb::config_store>(records);
  auto initial = sb::startup_config(*store, env, s, error);
  if (!initial) {
    spdlog::critical("configuration: {}", error);
    return 2;
  }
  auto account_store = std::make_shared<sb::account_store>(records);
  auto accounts = sb::startup_accounts(*account_store, s, error);
  if (!accounts) {
    spdlog::critical("accounts: {}", error);
    return 2;
  }
  auto model_store = std::make_shared<sb::model_store>(records);
  sb::models_snapshot models;
  if (!model_store->load(models, error)) {
    spdlog::critical("models: {}", error);
    return 2;
  }
  auto token_key = sb::token_signing_key(s.accounts.secret_key, s.data_dir, error);
  if (s.webui_auth && token_key.empty()) {
    spdlog::critical("{}", error);
    return 2;
  }
  if (s.cluster.enabled && s.webui_auth && s.accounts.secret_key.empty())
    spdlog::warn("cluster: WEBUI_SECRET_KEY is not set, so this node signs tokens with its own "
                 "key and the other nodes refuse them: set the same WEBUI_SECRET_KEY on every node");

  // The runtime (and its io_contexts) is declared before the actor system so it is destroyed
  // after it: actors may still post to an io_context while the system shuts down.
  sb::runtime rt(s);
  rt.token_key = std::move(token_key);
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(s.caf_threads));
  cfg.set("work-stealing.aggressive-poll-attempts", static_cast<std::size_t>(1));
  cfg.set("work-stealing.moderate-poll-attempts", static_cast<std::size_t>(1));
  cfg.add_message_types<caf::id_block::switchboard>();
  if (s.cluster.enabled) sb::prepare_cluster(cfg, s.cluster);
  caf::actor_system sys{cfg};

  // Published here too, before anything listens: the config actor publishes from its own thread,
  // and a request answered before it did would see an empty configuration.
  rt.config.publish(std::make_shared<const sb::gateway_config>(*initial));
  sb::balancing_choice balancing{s.balancing, s.balancing_by_model};
  auto catalog = sys.spawn(sb::catalog_actor_impl, &rt.catalog, balancing);
  // The same for accounts and models: their actors are detached and publish from their own
  // threads, which may start after the first request (seen under load: a valid token refused).
  rt.accounts.publish(std::make_shared<const sb::accounts_snapshot>(*accounts));
  rt.models.publish(std::make_shared<const sb::models_snapshot>(models));
  auto accounts_owner = sys.spawn<caf::detached>(sb::accounts_actor_impl, account_store,
                                                 std::move(*accounts), &rt.accounts);
  auto models_owner = sys.spawn<caf::detached>(sb::models_actor_impl, model_store,
                                               std::move(models), &rt.models);
  rt.note_active = [accounts_owner](const std::string& user_id) {
    caf::anon_send(accounts_owner, sb::active_atom::value, user_id);
  };
  // The record stage runs only with a reader: without ACCESS_LOG and USAGE_TRACKING no record
  // is made.
  sb::access_log_actor access_log;
  if (s.access_log)
    access_log = sys.spawn<caf::detached>(sb::access_log_actor_impl, s.access_log_file);
  sb::usage_actor usage;
  if (s.usage_tracking)
    usage = sys.spawn<caf::detached>(sb::usage_actor_impl,
                                     std::make_shared<sb::usage_store>(records),
                                     std::chrono::hours(24 * s.usage_retention_days),
                                     &rt.usage_meters);
  if (access_log || usage)
    rt.request_log = [access_log, usage](sb::request_records batch) {
      if (access_log && usage) caf::anon_send(usage, sb::records_atom::value, batch);
      else if (usage) caf::anon_send(usage, sb::records_atom::value, std::move(batch));
      if (access_log) caf::anon_send(access_log, sb::records_atom::value, std::move(batch));
    };
  sb::config_form_reader read_form = [allow = s.allow_link_local_upstreams](
                                         sb::provider_kind kind, std::string_view form,
                                         const sb::provider_config& current, std::string& why) {
    return sb::parse_provider_config_update(kind, form, current, allow, why);
  };
  auto config = sys.spawn<caf::detached>(sb::config_actor_impl, store, *initial, &rt.config,
                                         std::move(read_form));
  sb::endpoint_factory make_endpoint =
      [&rt](const sb::connection_spec& spec,
            std::string& why) -> std::shared_ptr<sb::upstream_endpoint> {
    return sb::make_upstream_endpoint(spec, rt, why);
  };
  sb::model_fetcher fetch = [&rt](std::shared_ptr<sb::upstream_endpoint> ep, std::string path,
                                  std::uint64_t gen, std::function<void(sb::fetch_result)> done) {
    sb::fetch_model_list(rt, std::move(ep), std::move(path), gen, std::move(done));
  };
  sb::health_params health;
  health.refresh_interval = s.models_refresh;
  health.consecutive_failures = s.outlier_consecutive_failures;
  health.base_ejection = s.outlier_base_ejection;
  health.max_ejection = s.outlier_max_ejection;
  health.stale_models = s.models_stale_ttl;
  auto manager = sys.spawn(sb::connection_manager_impl, catalog, make_endpoint, fetch, health);
  caf::anon_send(config, sb::subscribe_atom::value,
                 caf::actor_cast<sb::config_subscriber>(manager));

  // A core actor that dies would freeze routing: drain and exit non-zero instead.
  boost::asio::io_context signals_ctx(1);
  boost::asio::signal_set signals(signals_ctx, SIGTERM, SIGINT);
  signals.async_wait([](const boost::system::error_code&, int) {});
  std::atomic<int> exit_code{0};
  auto watchdog = sys.spawn(
      sb::core_watchdog,
      std::vector<std::pair<std::string, caf::actor>>{
          {"config_actor", caf::actor_cast<caf::actor>(config)},
          {"connection_manager", caf::actor_cast<caf::actor>(manager)},
          {"catalog_actor", caf::actor_cast<caf::actor>(catalog)},
          {"accounts_actor", caf::actor_cast<caf::actor>(accounts_owner)},
          {"models_actor", caf::actor_cast<caf::actor>(models_owner)}},
      sb::death_handler([&signals_ctx, &exit_code](const std::string& name,
                                                   const std::string& reason) {
        spdlog::critical("{} died ({}): routing cannot follow changes any more; exiting", name,
                         reason);
        exit_code = 70;  // EX_SOFTWARE
        boost::asio::post(signals_ctx, [&signals_ctx] { signals_ctx.stop(); });
      }));

  // Limits: the table is rebuilt whenever the rules or the accounts change; the first one is
  // published here, before anything listens.
  auto limit_store = std::make_shared<sb::limit_store>(records);
  auto spent_store = std::make_shared<sb::usage_store>(records);
  std::vector<sb::limit_rule> limit_rules;
  if (!limit_store->load(limit_rules, error)) {
    spdlog::critical("limits: {}", error);
    return 2;
  }
  // In a cluster, budgets are leased from their owners (actors/budget_ledger.hpp).
  auto leases = s.cluster.enabled ? std::make_shared<sb::lease_store>(records) : nullptr;
  rt.limits.publish(std::make_shared<const sb::limits_snapshot>(sb::first_limit_table(
      limit_rules, *rt.accounts.load(), spent_store.get(), leases != nullptr)));
  rt.limits_active = !rt.limits.load()->empty();
  auto limits = sys.spawn<caf::detached>(sb::limits_actor_impl, limit_store, spent_store,
                                         std::move(limit_rules), &rt.limits, &rt.limits_active,
                                         leases);
  caf::anon_send(accounts_owner, sb::subscribe_atom::value,
                 caf::actor_cast<sb::accounts_subscriber>(limits));
  // Every actor main made, told to exit at shutdown (or when the gateway cannot start).
  std::vector<caf::actor> owned{caf::actor_cast<caf::actor>(manager),
                                caf::actor_cast<caf::actor>(config),
                                caf::actor_cast<caf::actor>(catalog),
                                caf::actor_cast<caf::actor>(accounts_owner),
                                caf::actor_cast<caf::actor>(models_owner),
                                caf::actor_cast<caf::actor>(limits)};
  if (access_log) owned.push_back(caf::actor_cast<caf::actor>(access_log));
  if (usage) owned.push_back(caf::actor_cast<caf::actor>(usage));
  auto stop_actors = [&] {
    records->on_change(nullptr);  // it holds the cluster gate
    caf::anon_send_exit(watchdog, caf::exit_reason::user_shutdown);
    for (auto& a : owned) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    rt.request_log = nullptr;
    rt.note_active = nullptr;
  };
  caf::actor quorum;  // the cluster gate, when writes wait for a majority
  if (s.cluster.enabled) {
    auto cluster = sb::start_cluster(sys, s.cluster, records,
                                     {config, accounts_owner, models_owner, limits}, &rt.cluster,
                                     error);
    if (!cluster) {
      spdlog::critical("{}", error);
      stop_actors();
      return 2;
    }
    owned.push_back(cluster);
    if (s.cluster.majority) quorum = cluster;
  }
  sb::control_plane_bridge control(sys, config, manager, accounts_owner, models_owner, limits,
                                   usage, quorum);
  sb::router routes(rt, control);
  sb::server srv(rt, routes);
  if (!srv.listen(s.host, s.port, error)) {
    spdlog::critical("{}", error);
    stop_actors();
    return 2;
  }
  srv.start();
  rt.io.start();
  spdlog::info("switchboard listening on {}:{} ({} I/O threads, at most {} connections, data in {})",
               s.host, srv.port(), rt.io.size(), s.max_connections, s.data_dir);

  // SIGTERM / SIGINT: stop accepting, let requests in flight finish (up to DRAIN_TIMEOUT), exit 0.
  // (The handler is installed before the server starts: a signal that arrives as soon as the
  // gateway says it listens must drain it, not kill it.)
  signals_ctx.run();
  spdlog::info("shutting down: draining {} connections", rt.metrics.open_connections.load());
  rt.draining = true;
  srv.stop_accepting();
  srv.close_idle_sessions();
  auto deadline = std::chrono::steady_clock::now() + s.drain_timeout;
  while (rt.metrics.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    srv.close_idle_sessions();
  }
  if (rt.metrics.open_connections.load() > 0) {
    // Deadline passed: streams still open end with an error event (never a bare cut that a client
    // could take for a complete answer), then their connections close.
    spdlog::warn("drain deadline passed with {} connections open: ending their streams",
                 rt.metrics.open_connections.load());
    sb::cut_open_streams(rt);
    auto cut_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (rt.metrics.open_connections.load() > 0 &&
           std::chrono::steady_clock::now() < cut_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      srv.close_idle_sessions();
    }
  }
  // The last window's records go to the access log before it is told to exit (one mailbox, in
  // order: it writes them first).
  sb::hand_over_request_logs(rt);
  rt.io.stop();
  rt.io.join();
  // The runtime outlives the actor system: the handles it holds would keep their actors alive,
  // and the system waits for every actor when it ends (stop_actors drops them).
  stop_actors();
  spdlog::info("stopped");
  return exit_code.load();
}

}  // namespace

int main(int argc, char** argv) {
  auto env = sb::process_env();
  auto parsed = sb::parse_settings(argc, argv, env);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    if (*err == "help") {
      std::fputs(sb::usage_text(), stdout);
      return 0;
    }
    std::fprintf(stderr, "switchboard: %s\n%s", err->c_str(), sb::usage_text());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Buffers of 1 MiB and more (large bodies, whole answers, long stream events) each get their own
  // mapping, returned to the system when freed. glibc's default raises that threshold after the
  // first large free (up to 32 MiB), so large buffers came from the heap and their memory stayed
  // with the process after a peak: 8 answers of 64 MiB left 430 MB behind. A mapping per large
  // buffer costs two system calls, next to copying megabytes.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 4 << 20);
  // Everything this process creates (the configuration database with its API keys, logs) is
  // readable by its owner only.
  ::umask(0077);
  return run(std::get<sb::settings>(std::move(parsed)), env);
}
