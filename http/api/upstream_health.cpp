#include "http/api/upstream_health.hpp"

#include <boost/json.hpp>

#include "config/secret_fields.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace json = boost::json;

namespace {

json::object connection_json(const upstream_endpoint& ep) {
  auto report = ep.health_details();
  auto settings = ep.settings();
  auto& spec = *settings;
  json::object o;
  o["kind"] = to_string(spec.key.kind);
  o["idx"] = spec.key.idx;
  o["url"] = mask_url(spec.url);
  o["health"] = to_string(ep.health());
  o["routable_now"] = ep.healthy();  // no connect cool-down or Retry-After either
  o["reason"] = report->reason;
  o["consecutive_failures"] = report->consecutive_failures;
  o["ejections"] = report->ejections;
  if (report->probe_at_ms) o["probe_at_ms"] = report->probe_at_ms;
  o["weight"] = spec.weight;
  o["priority"] = spec.priority;
  json::array threads;
  std::uint64_t in_flight = 0;
  for (unsigned i = 0; i < ep.threads(); ++i) {
    auto& l = ep.load_of(i);
    auto n = l.in_flight.load(std::memory_order_relaxed);
    in_flight += n;
    threads.push_back(json::object{
        {"in_flight", n}, {"ewma_ttfb_ms", l.ewma_us.load(std::memory_order_relaxed) / 1000.0}});
  }
  o["in_flight"] = in_flight;
  o["threads"] = std::move(threads);
  o["outcomes"] = json::object{{"answered", report->answered},
                               {"server_errors", report->server_errors},
                               {"throttled", report->throttled},
                               {"timeouts", report->timeouts},
                               {"connect_failures", report->connect_failures},
                               {"resets", report->resets}};
  json::array history;
  for (auto& e : *report->history) history.push_back(json::object{{"at_ms", e.at_ms}, {"what", e.what}});
  o["history"] = std::move(history);
  return o;
}

}  // namespace

std::string render_upstream_health(runtime& rt) {
  json::array all;
  for (auto& ep : rt.catalog.load()->upstreams) all.push_back(connection_json(*ep));
  return json::serialize(json::object{{"upstreams", std::move(all)}});
}

}  // namespace sb
