#include "actors/upstream_actor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "http/upstream/providers/provider_adapter.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {

constexpr std::chrono::milliseconds first_backoff{1'000};

const provider_adapter& adapter(const connection_spec& spec) { return adapter_for(spec); }

bool listed_without_fetch(const connection_spec& spec) {
  return adapter(spec).lists_without_fetch(spec);
}

// Sends the catalog the current list.
void report_models(upstream_actor::stateful_pointer<upstream_state> self, bool ok,
                   std::string error) {
  auto& st = self->state;
  upstream_models report;
  report.key = st.spec.key;
  report.endpoint = st.endpoint;
  report.ok = ok;
  report.error = std::move(error);
  report.models = st.models;
  report.pipelines = st.pipelines;
  report.weight = st.spec.weight;
  report.priority = st.spec.priority;
  // The last fetch that ended: one in flight (a respec while it runs) has not been seen yet.
  report.fetch = st.in_flight ? st.generation - 1 : st.generation;
  self->send(st.catalog, models_atom::value, std::move(report));
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string name_of(const upstream_state& st) {
  return fmt::format("{} connection {}", to_string(st.spec.key.kind), st.spec.key.idx);
}

// Publishes the health decision (and the report the admin route shows) on the endpoint.
void publish(upstream_state& st, std::string event) {
  auto& r = st.report;
  r.health = st.health;
  r.consecutive_failures = st.run;
  r.ejections = st.ejections;
  if (st.health == connection_health::healthy) {
    r.reason.clear();
    r.probe_at_ms = 0;
  }
  if (!event.empty()) {
    auto history = std::make_shared<std::vector<health_event>>(*r.history);
    history->push_back({unix_ms(), std::move(event)});
    if (history->size() > 32) history->erase(history->begin());
    r.history = std::move(history);
  }
  st.endpoint->publish_health(st.health);
  st.endpoint->publish_health_details(std::make_shared<const health_report>(r));
}

void recover(upstream_actor::stateful_pointer<upstream_state> self, std::string why) {
  auto& st = self->state;
  if (st.health == connection_health::healthy) return;
  st.health = connection_health::healthy;
  st.down = upstream_state::down_cause::none;
  st.run = 0;
  st.recovered_at = std::chrono::steady_clock::now();
  ++st.probe_tick;        // a pending probe has nothing left to do,
  ++st.probe_generation;  // and the answer of one in flight counts for nothing
  st.endpoint->mark_answering();  // nor does a request's connect cool-down
  spdlog::info("{} is back: {}", name_of(st), why);
  publish(st, "healthy: " + why);
}

// Takes the connection out of rotation after failing requests, for a time that doubles with each
// ejection, and schedules the probe that may bring it back.
void eject(upstream_actor::stateful_pointer<upstream_state> self, connection_health as,
           std::string why) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  // Healthy for longer than the longest ejection since the last one: start over.
  if (st.health == connection_health::healthy && st.ejections > 0 &&
      now - st.recovered_at > st.params.max_ejection)
    st.ejections = 0;
  auto d = st.params.base_ejection;
  for (std::uint32_t i = 0; i < st.ejections && d < st.params.max_ejection; ++i) d *= 2;
  d = std::min(d, st.params.max_ejection);
  ++st.ejections;
  ++st.probe_generation;  // a probe in flight answers for the ejection before this one
  st.endpoint->begin_health_epoch();
  st.health = as;
  st.down = upstream_state::down_cause::requests;
  st.report.reason = why;
  st.report.probe_at_ms = unix_ms() + d.count();
  spdlog::warn("{} {}: {}; probed again in {} ms", name_of(st), to_string(as), why, d.count());
  publish(st, fmt::format("{}: {} (for {} ms)", to_string(as), why, d.count()));
  self->delayed_send(self, d, probe_atom::value, ++st.probe_tick);
}

// What a run of failures says: unreachable when the last ones could not even connect.
connection_health failing_as(const outcome_batch& b) {
  return b.connect_failures > 0 && b.connect_failures == b.failures()
             ? connection_health::unreachable
             : connection_health::ejected;
}

std::string describe_run(std::uint32_t run, const outcome_batch& b) {
  std::string kinds;
  auto add = [&](std::uint32_t n, const char* what) {
    if (n == 0) return;
    if (!kinds.empty()) kinds += ", ";
    kinds += fmt::format("{} {}", n, what);
  };
  add(b.server_errors, "5xx");
  add(b.timeouts, "timed out");
  add(b.connect_failures, "could not connect");
  add(b.resets, "broken");
  return fmt::format("{} requests failed in a row (last: {})", run, kinds);
}

void on_outcomes(upstream_actor::stateful_pointer<upstream_state> self, const outcome_batch& b) {
  auto& st = self->state;
  auto& r = st.report;
  r.answered += b.answered;
  r.server_errors += b.server_errors;
  r.throttled += b.throttled;
  r.timeouts += b.timeouts;
  r.connect_failures += b.connect_failures;
  r.resets += b.resets;
  if (b.answered > 0)
    st.run = b.trailing_failures;
  else
    st.run += b.failures();
  if (st.health != connection_health::healthy && b.answered > 0 && b.trailing_failures == 0 &&
      st.down == upstream_state::down_cause::requests) {
    recover(self, "requests are answered again");
    return;
  }
  if (st.health == connection_health::healthy && st.run >= st.params.consecutive_failures) {
    eject(self, failing_as(b), describe_run(st.run, b));
    return;
  }
  publish(st, std::string());  // the counts, for the admin route and /metrics
}

// The probe of an ejected connection: its list (or, when the list is not fetched, the verify
// path); any answer below 500 (but 429) means it is back.
void start_probe(upstream_actor::stateful_pointer<upstream_state> self) {
  auto& st = self->state;
  auto& a = adapter(st.spec);
  std::string path = a.lists_without_fetch(st.spec) ? a.verify_path(st.spec) : a.model_list_path();
  auto gen = ++st.probe_generation;
  upstream_actor handle = self;
  st.fetch(st.endpoint, std::move(path), gen,
           [handle](fetch_result r) { caf::anon_send(handle, probed_atom::value, std::move(r)); });
}

// A seed-form pipeline server (server_filters) that lists no /models (404, or 401-405 from an
// OpenAPI tool server that wants its own auth) offers filters only: an answer, not a failure.
// Said once, not on every refresh.
parsed_model_list no_models_of_its_own(upstream_state& st) {
  if (!st.listed_once)
    spdlog::info("{} answers no /models: it offers no models of its own, only /inlet and /outlet",
                 name_of(st));
  return {};
}

void start_fetch(upstream_actor::stateful_pointer<upstream_state> self) {
  auto& st = self->state;
  if (st.in_flight) return;
  // Numbered where a request handler can see it: a refresh it asks for wants a later fetch.
  st.endpoint->note_list_fetch_started(st.generation + 1);
  if (listed_without_fetch(st.spec)) {
    fetch_result r;
    r.generation = ++st.generation;
    r.status = -1;
    st.in_flight = true;
    self->send(self, fetched_atom::value, std::move(r));
    return;
  }
  st.in_flight = true;
  auto gen = ++st.generation;
  upstream_actor handle = self;
  st.fetch(st.endpoint, adapter(st.spec).model_list_path(), gen,
           [handle](fetch_result r) { caf::anon_send(handle, fetched_atom::value, std::move(r)); });
}

}  // namespace

upstream_actor::behavior_type upstream_actor_impl(
    upstream_actor::stateful_pointer<upstream_state> self, connection_spec spec,
    std::shared_ptr<upstream_endpoint> endpoint, catalog_actor catalog, model_fetcher fetch,
    health_params params) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.endpoint = std::move(endpoint);
  st.catalog = std::move(catalog);
  st.fetch = std::move(fetch);
  st.params = params;
  st.backoff = std::min(first_backoff, params.refresh_interval);
  publish(st, "started");
  start_fetch(self);
  return {
      [self](respec_atom, spec_update& u) {
        auto& st = self->state;
        st.spec = std::move(u.spec);
        st.endpoint->publish_settings(st.spec);  // where everyone else reads them
        bool synthesized = listed_without_fetch(st.spec);
        if (!synthesized && !st.last_body) {
          start_fetch(self);  // nothing to re-render yet; the next answer uses the new spec
          return;
        }
        std::string error;
        auto& a = adapter(st.spec);
        auto parsed = synthesized ? std::optional(parsed_model_list{a.synthesize_model_list(st.spec)})
                                  : a.parse_model_list(st.spec, *st.last_body, error);
        if (!parsed) return;  // the body parsed before; cannot fail now, but never report junk
        st.models = std::move(parsed->models);
        st.pipelines = parsed->pipelines;
        report_models(self, st.healthy || synthesized, {});
      },
      [self](refresh_atom) {
        // One in flight may have started before whatever changed the list: another follows it.
        if (self->state.in_flight) self->state.again = true;
        start_fetch(self);
      },
      [self](refresh_atom, std::uint64_t tick) {
        if (tick == self->state.tick) start_fetch(self);
      },
      [self](fetched_atom, fetch_result& r) {
        auto& st = self->state;
        if (r.generation != st.generation) return;  // answer to a superseded fetch
        st.in_flight = false;
        std::string error;
        std::optional<parsed_model_list> parsed;
        if (r.status == -1)
          parsed = parsed_model_list{adapter(st.spec).synthesize_model_list(st.spec)};
        else if (!r.error.empty())
          error = r.error;
        else if (st.spec.server_filters && r.status >= 401 && r.status <= 405)
          parsed = no_models_of_its_own(st);
        else if (r.status != 200)
          error = "HTTP " + std::to_string(r.status);
        else
          parsed = adapter(st.spec).parse_model_list(st.spec, r.body, error);
        if (parsed && r.status == 200) st.last_body = std::move(r.body);
        bool was_healthy = st.healthy;
        auto now = std::chrono::steady_clock::now();
        if (parsed) {
          st.models = std::move(parsed->models);
          st.pipelines = parsed->pipelines;
          st.healthy = true;
          st.listed_once = true;
          st.last_list_ok = now;
          st.backoff = std::min(first_backoff, st.params.refresh_interval);
          if (!was_healthy)
            spdlog::info("{} connection {}: {} models", to_string(st.spec.key.kind),
                         st.spec.key.idx, st.models.size());
        } else {
          st.healthy = false;
          st.endpoint->stats().model_fetch_failures.fetch_add(1, std::memory_order_relaxed);
          // Logged when the state changes, not on every retry.
          if (was_healthy || st.generation == 1)
            spdlog::warn("{} connection {} model list failed: {} (retrying)",
                         to_string(st.spec.key.kind), st.spec.key.idx, error);
          // Served stale for a bounded time, then dropped: a dead connection's models must not
          // stay listed (and routed) for ever.
          if (st.params.stale_models.count() > 0 && !st.models.empty() && st.listed_once &&
              now - st.last_list_ok >= st.params.stale_models) {
            spdlog::warn("{} connection {}: list unavailable for {} s, its {} models dropped",
                         to_string(st.spec.key.kind), st.spec.key.idx,
                         st.params.stale_models.count() / 1000, st.models.size());
            st.models.clear();
          }
        }
        // Reachability from the list (a connection listed from model_ids is never asked):
        // no connection at all makes it unreachable; any answer makes it reachable again.
        if (r.connect_failed && st.health == connection_health::healthy) {
          st.health = connection_health::unreachable;
          st.down = upstream_state::down_cause::model_list;
          st.report.reason = "model list: " + error;
          publish(st, "unreachable: model list: " + error);
        } else if (r.status > 0 && st.down == upstream_state::down_cause::model_list) {
          recover(self, "its model list answered");
        }
        report_models(self, st.healthy, std::move(error));
        if (st.again) {
          st.again = false;
          start_fetch(self);
          return;
        }
        auto delay = st.healthy ? st.params.refresh_interval : st.backoff;
        if (!st.healthy) st.backoff = std::min(st.backoff * 2, st.params.refresh_interval);
        self->delayed_send(self, delay, refresh_atom::value, ++st.tick);
      },
      [self](outcomes_atom, const outcome_batch& b) { on_outcomes(self, b); },
      [self](probe_atom, std::uint64_t tick) {
        auto& st = self->state;
        if (tick == st.probe_tick && st.down == upstream_state::down_cause::requests)
          start_probe(self);
      },
      [self](probed_atom, fetch_result& r) {
        auto& st = self->state;
        if (r.generation != st.probe_generation ||
            st.down != upstream_state::down_cause::requests)
          return;
        if (r.error.empty() && r.status > 0 && r.status < 500 && r.status != 429) {
          recover(self, fmt::format("probe answered {}", r.status));
          return;
        }
        auto why = r.error.empty() ? fmt::format("probe answered {}", r.status)
                                   : "probe failed: " + r.error;
        eject(self, r.connect_failed ? connection_health::unreachable : connection_health::ejected,
              std::move(why));
      },
      [self](status_atom) {
        return std::make_tuple(self->state.healthy,
                               static_cast<std::uint64_t>(self->state.models.size()));
      },
  };
}

}  // namespace sb
