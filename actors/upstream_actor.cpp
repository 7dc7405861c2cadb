#include "actors/upstream_actor.hpp"

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
  self->send(st.catalog, models_atom::value, std::move(report));
}

void start_fetch(upstream_actor::stateful_pointer<upstream_state> self) {
  auto& st = self->state;
  if (st.in_flight) return;
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
    std::chrono::milliseconds refresh_interval) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.endpoint = std::move(endpoint);
  st.catalog = std::move(catalog);
  st.fetch = std::move(fetch);
  st.refresh_interval = refresh_interval;
  st.backoff = std::min(first_backoff, refresh_interval);
  start_fetch(self);
  return {
      [self](respec_atom, spec_update& u) {
        auto& st = self->state;
        st.spec = std::move(u.spec);
        bool synthesized = listed_without_fetch(st.spec);
        if (!synthesized && !st.last_body) {
          start_fetch(self);  // nothing to re-render yet; the next answer uses the new spec
          return;
        }
        std::string error;
        auto& a = adapter(st.spec);
        auto parsed = synthesized ? std::optional(a.synthesize_model_list(st.spec))
                                  : a.parse_model_list(st.spec, *st.last_body, error);
        if (!parsed) return;  // the body parsed before; cannot fail now, but never report junk
        st.models = std::move(*parsed);
        report_models(self, st.healthy || synthesized, {});
      },
      [self](refresh_atom) { start_fetch(self); },
      [self](refresh_atom, std::uint64_t tick) {
        if (tick == self->state.tick) start_fetch(self);
      },
      [self](fetched_atom, fetch_result& r) {
        auto& st = self->state;
        if (r.generation != st.generation) return;  // answer to a superseded fetch
        st.in_flight = false;
        std::string error;
        std::optional<std::vector<model_entry>> parsed;
        if (r.status == -1)
          parsed = adapter(st.spec).synthesize_model_list(st.spec);
        else if (!r.error.empty())
          error = r.error;
        else if (r.status != 200)
          error = "HTTP " + std::to_string(r.status);
        else
          parsed = adapter(st.spec).parse_model_list(st.spec, r.body, error);
        if (parsed && r.status == 200) st.last_body = std::move(r.body);
        bool was_healthy = st.healthy;
        if (parsed) {
          st.models = std::move(*parsed);
          st.healthy = true;
          st.backoff = std::min(first_backoff, st.refresh_interval);
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
        }
        // A connection that is never probed (model_ids) leaves health to the data plane.
        if (r.status != -1) st.endpoint->set_healthy(st.healthy);
        report_models(self, st.healthy, std::move(error));
        auto delay = st.healthy ? st.refresh_interval : st.backoff;
        if (!st.healthy) st.backoff = std::min(st.backoff * 2, st.refresh_interval);
        self->delayed_send(self, delay, refresh_atom::value, ++st.tick);
      },
      [self](status_atom) {
        return std::make_tuple(self->state.healthy,
                               static_cast<std::uint64_t>(self->state.models.size()));
      },
  };
}

}  // namespace sb
