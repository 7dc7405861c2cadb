#include "http/api/json_depth.hpp"
#include "http/api/pipelines/filter_chain.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>

#include "http/api/shared_flight.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/error_scrub.hpp"
#include "http/upstream/percent_encode.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_error.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

const char* phase_name(filter_phase p) { return p == filter_phase::inlet ? "inlet" : "outlet"; }

std::string filter_path(const pipeline_filter& f, filter_phase p) {
  if (f.server_level) return std::string("/") + phase_name(p);
  return "/" + percent_encode(f.id) + "/filter/" + phase_name(p);
}

std::string filter_name(const pipeline_filter& f) {
  if (f.server_level) return fmt::format("the pipeline server {}", connection_name(*f.endpoint));
  return fmt::format("filter '{}' of {}", f.id, connection_name(*f.endpoint));
}

// How long a seed-form server that does not speak the API is passed over before it is asked
// again (a redeploy's 404 must not switch a guard off for good).
constexpr std::chrono::milliseconds absence_recheck{60'000};

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool passed_over(const pipeline_filter& f, filter_phase p) {
  return f.server_level && f.stats->absent_until_ms[static_cast<int>(p)].load(
                               std::memory_order_relaxed) > steady_ms();
}

// A seed-form server without this phase's route (what an OpenAPI tool server, which Open WebUI
// later configured with the same variable, answers): passed over for a while, said once.
bool absent_route(const pipeline_filter& f, filter_phase p, int status) {
  if (!f.server_level ||
      (status != 401 && status != 403 && status != 404 && status != 405 && status != 422))
    return false;
  f.stats->absent_until_ms[static_cast<int>(p)].store(steady_ms() + absence_recheck.count(),
                                                      std::memory_order_relaxed);
  if (!f.stats->absence_said.exchange(true))
    spdlog::warn("{} answers no /{} ({}): not a pipeline server (an OpenAPI tool server?); "
                 "passed over, asked again every {} s",
                 filter_name(f), phase_name(p), status, absence_recheck.count() / 1000);
  return true;
}

// What a filter may answer: a JSON object; on the inlet, a chat request (its "messages").
bool usable_answer(const std::string& text, filter_phase p) {
  boost::system::error_code ec;
  auto v = parse_body_json(text, ec);
  if (ec || !v.is_object()) return false;
  if (p == filter_phase::outlet) return true;
  auto* m = v.as_object().if_contains("messages");
  return m && m->is_array();
}

// The refusal a filter's error answer carries: its `detail` (Open WebUI's rule), else nothing.
std::optional<std::string> refusal_detail(const pipeline_filter& f, const std::string& answer) {
  boost::system::error_code ec;
  auto v = parse_body_json(answer, ec);
  auto* d = !ec && v.is_object() ? v.as_object().if_contains("detail") : nullptr;
  if (!d || d->is_null()) return std::nullopt;
  auto text = d->is_string() ? std::string(d->as_string()) : json::serialize(*d);
  return scrub_upstream_text(text, f.endpoint->secrets());
}

// What one filter's reply means for the chain; `body` takes its answer when it passes.
filter_verdict judge_reply(const pipeline_filter& f, filter_phase p, upstream_reply& r,
                           std::string& body) {
  auto& st = *f.stats;
  if (r.over_budget) return {filter_verdict::overloaded, 0, {}, {}};
  if (r.status >= 200 && r.status < 300 && usable_answer(r.body, p)) {
    body = std::move(r.body);
    return {filter_verdict::passed, 0, {}, std::move(r.lease)};
  }
  if (r.status > 0 && absent_route(f, p, r.status)) return {};
  // Only a Pipelines filter refuses; a seed-form server fails open, as the description says.
  if (r.status >= 400 && p == filter_phase::inlet && !f.server_level)
    if (auto detail = refusal_detail(f, r.body)) {
      st.refusals.fetch_add(1, std::memory_order_relaxed);
      // Its 401 or 407 is about the gateway's key for it, not the client's credentials; a status
      // that is no error status is not passed on.
      bool passed_on = r.status < 600 && r.status != 401 && r.status != 407;
      return {filter_verdict::refused, passed_on ? r.status : 502, std::move(*detail), {}};
    }
  st.failures.fetch_add(1, std::memory_order_relaxed);
  st.fail_opens.fetch_add(1, std::memory_order_relaxed);
  auto why = r.status == 0 ? r.error
                           : r.status < 300 ? fmt::format("answered {} with no usable body", r.status)
                                            : fmt::format("answered {}", r.status);
  spdlog::warn("{} failed on the {} ({}): the request goes on without it", filter_name(f),
               phase_name(p), why);
  return {};
}

}  // namespace

bool is_json_object_text(const std::string& text) {
  boost::system::error_code ec;
  auto v = parse_body_json(text, ec);
  return !ec && v.is_object();
}

json::object pipeline_user(const principal& caller) {
  return {{"id", caller.id()},
          {"email", caller.email()},
          {"name", caller.name()},
          {"role", to_string(caller.level())}};
}

bool add_pipeline_user(std::string& body, const principal& caller) {
  boost::system::error_code ec;
  auto v = parse_body_json(body, ec);
  if (ec || !v.is_object()) return false;
  v.as_object()["user"] = pipeline_user(caller);
  body = json::serialize(v);
  return true;
}

boost::asio::awaitable<filter_verdict> run_filter_chain(session_io& s, runtime& rt,
                                                        std::vector<const pipeline_filter*> chain,
                                                        filter_phase phase,
                                                        const principal& caller,
                                                        std::string& body) {
  const auto user = json::serialize(pipeline_user(caller));
  std::shared_ptr<budget_lease> held;  // the body's, once a filter answered it
  for (auto* f : chain) {
    if (passed_over(*f, phase)) continue;
    f->stats->calls.fetch_add(1, std::memory_order_relaxed);
    if (!f->endpoint->reachable()) {  // its actor knows it cannot be reached: not waited for
      f->stats->failures.fetch_add(1, std::memory_order_relaxed);
      f->stats->fail_opens.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    auto started = std::chrono::steady_clock::now();
    auto cancel = std::make_shared<cancel_group>();
    call_options o;
    o.timeout = rt.cfg.pipeline_filter_timeout;
    o.max_bytes = rt.cfg.pipeline_filter_max_body;
    o.budget = &rt.buffers;
    o.cancel = cancel->join();
    std::string payload = R"({"user":)" + user + R"(,"body":)" + body + "}";
    auto replies = co_await call_for_client(
        s, cancel,
        one_call(call_upstream(f->endpoint, http::verb::post, filter_path(*f, phase),
                               std::move(payload), std::move(o))));
    f->stats->latency.observe_since(started);
    if (!replies) co_return filter_verdict{filter_verdict::client_left, 0, {}, {}};
    auto verdict = judge_reply(*f, phase, replies->front(), body);
    if (verdict.end != filter_verdict::passed) co_return verdict;
    if (verdict.held) held = std::move(verdict.held);
  }
  co_return filter_verdict{filter_verdict::passed, 0, {}, std::move(held)};
}

boost::asio::awaitable<handled> answer_filter_verdict(session_io& s, filter_verdict v) {
  if (v.end == filter_verdict::client_left) co_return client_left();
  if (v.end == filter_verdict::overloaded)
    co_return co_await send_error(
        s, gateway_error::overloaded,
        "the gateway is holding as many answer bytes as it may; retry shortly");
  auto status = static_cast<http::status>(v.status);
  co_return co_await send_body(s, status,
                               error_body("pipeline_filter", v.detail, v.status, s.dialect));
}

}  // namespace sb
