#include "http/api/metrics_text.hpp"

#include <fmt/format.h>

#include "http/api/router.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {
void line(std::string& out, std::string_view name, std::string_view labels, auto value) {
  fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, value);
}
void help(std::string& out, std::string_view name, std::string_view type, std::string_view text) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, text, name, type);
}
// A label value as Prometheus reads it: backslash, quote and newline escaped (a filter's id is
// whatever its Pipelines server says).
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Usage per model and connection, in OpenTelemetry's GenAI names.
void render_usage_meters(std::string& out, const usage_meter_table& t) {
  if (t.meters.empty()) return;
  auto labels = [](const model_meters& m) {
    return fmt::format("gen_ai_request_model=\"{}\",connection=\"{}\"", label_value(m.model),
                       label_value(m.connection));
  };
  help(out, "gen_ai_client_token_usage", "histogram",
       "Tokens per request as the provider reported them, input and output.");
  for (auto& m : t.meters)
    for (auto [type, h] : {std::pair{"input", &m->input_tokens}, std::pair{"output", &m->output_tokens}})
      h->render(out, "gen_ai_client_token_usage",
                labels(*m) + ",gen_ai_token_type=\"" + type + "\"");
  help(out, "gen_ai_server_time_to_first_token_seconds", "histogram",
       "From a request's arrival to its answer's first event (a whole answer's first byte).");
  for (auto& m : t.meters)
    m->time_to_first_token.render(out, "gen_ai_server_time_to_first_token_seconds", labels(*m));
  help(out, "gen_ai_client_operation_duration_seconds", "histogram",
       "From a request's arrival to the end of its answer.");
  for (auto& m : t.meters)
    m->duration.render(out, "gen_ai_client_operation_duration_seconds", labels(*m));
}

// Each Pipelines filter's calls, failures, fail-opens, refusals and time.
void render_filter_metrics(std::string& out, const filter_index& filters) {
  auto labels = [](const pipeline_filter& f) {
    return fmt::format("connection=\"{}\",idx=\"{}\",filter=\"{}\"", f.endpoint->id(),
                       f.endpoint->key().idx, label_value(f.server_level ? "(server)" : f.id));
  };
  using counter_of = std::atomic<std::uint64_t> filter_stats::*;
  for (auto [name, text, member] :
       {std::tuple{"switchboard_pipeline_filter_calls_total", "Calls to a Pipelines filter.",
                   counter_of{&filter_stats::calls}},
        std::tuple{"switchboard_pipeline_filter_failures_total",
                   "Filter calls with no usable answer (unreachable, timed out, not JSON).",
                   counter_of{&filter_stats::failures}},
        std::tuple{"switchboard_pipeline_filter_fail_opens_total",
                   "Requests that went on without a filter that failed.",
                   counter_of{&filter_stats::fail_opens}},
        std::tuple{"switchboard_pipeline_filter_refusals_total",
                   "Requests a filter stopped (an error answer with detail).",
                   counter_of{&filter_stats::refusals}}}) {
    help(out, name, "counter", text);
    for (auto& f : filters.filters)
      line(out, name, labels(f), (f.stats.get()->*member).load(std::memory_order_relaxed));
  }
  help(out, "switchboard_pipeline_filter_duration_seconds", "histogram", "Time per filter call.");
  for (auto& f : filters.filters)
    f.stats->latency.render(out, "switchboard_pipeline_filter_duration_seconds", labels(f));
}

// The cluster's members as this node sees them (when clustering is on).
void render_cluster(std::string& out, const cluster_status& c) {
  if (!c.enabled) return;
  help(out, "switchboard_cluster_members", "gauge", "Nodes up, this one included.");
  fmt::format_to(std::back_inserter(out), "switchboard_cluster_members {}\n", c.members);
  help(out, "switchboard_cluster_strangers_refused_total", "counter",
       "Messages and handshakes refused from nodes that did not prove CLUSTER_SECRET.");
  fmt::format_to(std::back_inserter(out), "switchboard_cluster_strangers_refused_total {}\n",
                 c.strangers_refused);
  help(out, "switchboard_cluster_peer_up", "gauge", "1 while the peer is up.");
  for (auto& p : c.peers)
    line(out, "switchboard_cluster_peer_up",
         fmt::format("peer=\"{}\",address=\"{}\"", label_value(p.node), label_value(p.address)),
         p.state == "up" ? 1 : 0);
  help(out, "switchboard_cluster_peer_lag_records", "gauge",
       "Stored changes not applied yet: ours by the peer (behind_us), the peer's by us (behind_it).");
  for (auto& p : c.peers) {
    auto node = label_value(p.node);
    line(out, "switchboard_cluster_peer_lag_records",
         fmt::format("peer=\"{}\",direction=\"behind_us\"", node), p.behind_us);
    line(out, "switchboard_cluster_peer_lag_records",
         fmt::format("peer=\"{}\",direction=\"behind_it\"", node), p.behind_it);
  }
}

}  // namespace

std::string render_metrics(runtime& rt, const router& routes) {
  std::string out;
  out.reserve(16 * 1024);
  auto& m = rt.metrics;
  auto label = [](std::string_view pattern) { return fmt::format("route=\"{}\"", pattern); };
  help(out, "switchboard_requests_total", "counter", "Requests answered, by route.");
  routes.for_each_route_stats([&](std::string_view r, const route_stats& st) {
    line(out, "switchboard_requests_total", label(r), st.requests.load(std::memory_order_relaxed));
  });
  help(out, "switchboard_request_errors_total", "counter",
       "Requests answered with status >= 400, by route.");
  routes.for_each_route_stats([&](std::string_view r, const route_stats& st) {
    line(out, "switchboard_request_errors_total", label(r),
         st.errors.load(std::memory_order_relaxed));
  });
  help(out, "switchboard_request_duration_seconds", "histogram", "Time to answer, by route.");
  routes.for_each_route_stats([&](std::string_view r, const route_stats& st) {
    st.latency.render(out, "switchboard_request_duration_seconds", label(r));
  });

  auto gauge = [&](std::string_view name, std::string_view text, auto v) {
    help(out, name, "gauge", text);
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, v);
  };
  auto counter = [&](std::string_view name, std::string_view text, auto v) {
    help(out, name, "counter", text);
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, v);
  };
  gauge("switchboard_open_connections", "Client connections open.", m.open_connections.load());
  gauge("switchboard_parked_connections",
        "Client connections idle long enough to be held without a session coroutine.",
        m.parked_connections.load());
  gauge("switchboard_open_streams", "Streamed responses in progress.", m.open_streams.load());
  counter("switchboard_client_cancels_total", "Requests whose client left before the answer ended.",
          m.client_cancels.load());
  counter("switchboard_upstream_stream_errors_total",
          "Streams cut by the upstream, ended with an error event.",
          m.upstream_stream_errors.load());
  counter("switchboard_bad_requests_total",
          "Client requests rejected as malformed or over a limit.", m.bad_requests.load());
  counter("switchboard_refused_connections_total",
          "Connections closed at once because MAX_CONNECTIONS were busy.",
          m.refused_connections.load());
  counter("switchboard_overloaded_total",
          "Requests refused with 503 because buffered bytes reached MAX_BUFFERED_BYTES.",
          m.overloaded.load());
  gauge("switchboard_buffered_bytes", "Bytes of bodies held whole now (over 64 KiB each).",
        static_cast<std::int64_t>(rt.buffers.used()));
  counter("switchboard_config_updates_total", "Configuration changes applied.",
          m.config_updates.load());
  counter("switchboard_failovers_total",
          "Requests moved to another connection after a connect failure.", m.failovers.load());
  help(out, "switchboard_limit_refusals_total", "counter",
       "Requests refused by a limit, by whose limit and which.");
  static constexpr const char* whose[] = {"user", "key", "model"};
  static constexpr const char* which[] = {"rpm", "tpm", "in_flight", "budget"};
  for (std::size_t w = 0; w < 3; ++w)
    for (std::size_t k = 0; k < 4; ++k)
      fmt::format_to(std::back_inserter(out),
                     "switchboard_limit_refusals_total{{whose=\"{}\",limit=\"{}\"}} {}\n", whose[w],
                     which[k], m.limit_refusals[w][k].load());

  render_usage_meters(out, *rt.usage_meters.load());
  render_cluster(out, *rt.cluster.load());

  auto catalog = rt.catalog.load();
  gauge("switchboard_catalog_models", "Models in the merged catalog.",
        catalog->openai.size() + catalog->ollama.size());
  struct upstream_counter {
    const char* name;
    const char* type;
    const char* help;
    std::int64_t (*get)(upstream_stats&);
  };
  static const upstream_counter counters[] = {
      {"switchboard_upstream_requests_total", "counter", "Requests sent to the connection.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.requests.load()); }},
      {"switchboard_upstream_errors_total", "counter", "Transport failures and 5xx answers.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.errors.load()); }},
      {"switchboard_upstream_connects_total", "counter", "Connections opened.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.connects.load()); }},
      {"switchboard_upstream_connect_failures_total", "counter", "Connections that failed to open.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.connect_failures.load()); }},
      {"switchboard_upstream_reused_total", "counter", "Requests sent on a pooled connection.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.reused.load()); }},
      {"switchboard_upstream_stale_retries_total", "counter",
       "Pooled connections found closed and retried on a fresh one.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.stale_retries.load()); }},
      {"switchboard_upstream_pool_discards_total", "counter",
       "Pooled connections closed before reuse: the upstream closed them or sent bytes unasked.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.pool_discards.load()); }},
      {"switchboard_upstream_model_fetch_failures_total", "counter", "Failed model-list fetches.",
       [](upstream_stats& s) { return static_cast<std::int64_t>(s.model_fetch_failures.load()); }},
      {"switchboard_upstream_pool_in_use", "gauge", "Connections carrying a request.",
       [](upstream_stats& s) { return s.in_use.load(); }},
      {"switchboard_upstream_pool_idle", "gauge", "Keep-alive connections waiting in the pool.",
       [](upstream_stats& s) { return s.idle.load(); }},
  };
  // idx is where the connection is listed now (Open WebUI's urlIdx); id is what it is: a series
  // keeps its id when another connection is removed and its idx moves.
  auto labels = [](upstream_endpoint& ep) {
    auto key = ep.key();
    return fmt::format("kind=\"{}\",idx=\"{}\",host=\"{}\",id=\"{}\"", to_string(key.kind),
                       key.idx, ep.target().host_header, ep.id());
  };
  for (auto& c : counters) {
    help(out, c.name, c.type, c.help);
    for (auto& ep : catalog->upstreams) line(out, c.name, labels(*ep), c.get(ep->stats()));
  }
  help(out, "switchboard_upstream_healthy", "gauge",
       "1 when routing prefers the connection (probe ok, no connect-failure cool-down).");
  for (auto& ep : catalog->upstreams)
    line(out, "switchboard_upstream_healthy", labels(*ep), ep->healthy() ? 1 : 0);
  help(out, "switchboard_upstream_ejected", "gauge",
       "1 while the connection is ejected or unreachable (its actor's judgement).");
  for (auto& ep : catalog->upstreams)
    line(out, "switchboard_upstream_ejected", labels(*ep),
         ep->health() == connection_health::healthy ? 0 : 1);
  help(out, "switchboard_upstream_ejections", "gauge",
       "Times the connection was ejected since it was last healthy for long.");
  for (auto& ep : catalog->upstreams)
    line(out, "switchboard_upstream_ejections", labels(*ep), ep->health_details()->ejections);
  help(out, "switchboard_upstream_in_flight", "gauge", "Requests in flight to the connection.");
  for (auto& ep : catalog->upstreams) {
    std::uint64_t n = 0;
    for (unsigned i = 0; i < ep->threads(); ++i)
      n += ep->load_of(i).in_flight.load(std::memory_order_relaxed);
    line(out, "switchboard_upstream_in_flight", labels(*ep), n);
  }
  help(out, "switchboard_upstream_outcomes_total", "counter",
       "Requests by how they ended, as the connection's health counts them.");
  for (auto& ep : catalog->upstreams) {
    auto r = ep->health_details();
    for (auto [name, n] : {std::pair{"answered", r->answered},
                           std::pair{"server_error", r->server_errors},
                           std::pair{"throttled", r->throttled},
                           std::pair{"timeout", r->timeouts},
                           std::pair{"connect_failure", r->connect_failures},
                           std::pair{"reset", r->resets}})
      line(out, "switchboard_upstream_outcomes_total",
           labels(*ep) + fmt::format(",outcome=\"{}\"", name), n);
  }
  help(out, "switchboard_upstream_duration_seconds", "histogram", "Upstream request time.");
  for (auto& ep : catalog->upstreams)
    ep->stats().latency.render(out, "switchboard_upstream_duration_seconds", labels(*ep));
  render_filter_metrics(out, catalog->filters);
  return out;
}

}  // namespace sb
