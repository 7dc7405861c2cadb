#include "http/api/router.hpp"

#include "http/api/list_refresh.hpp"
#include "http/api/stages/apply_preset.hpp"
#include "http/api/stages/authorise.hpp"
#include "http/api/stages/admit.hpp"
#include "http/api/stages/inlet_filters.hpp"
#include "http/api/pipelines/filter_chain.hpp"

#include <fmt/format.h>

#include <charconv>

#include "http/api/cross_site_guard.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

std::uint8_t bit_of(http::verb v) {
  switch (v) {
    case http::verb::get:
    case http::verb::head:
      return GET;
    case http::verb::post:
      return POST;
    case http::verb::put:
      return PUT;
    case http::verb::delete_:
      return DELETE;
    case http::verb::patch:
      return PATCH;
    default:
      return 0;
  }
}

std::string allow_header(std::uint8_t methods) {
  std::string out = "Allow: ";
  auto add = [&](std::uint8_t bit, std::string_view names) {
    if (!(methods & bit)) return;
    if (out.size() > 7) out += ", ";
    out += names;
  };
  add(GET, "GET, HEAD");
  add(POST, "POST");
  add(PUT, "PUT");
  add(DELETE, "DELETE");
  add(PATCH, "PATCH");
  return out + "\r\n";
}

const provider_config& family_config(const gateway_config& cfg, provider_kind k) {
  return k == provider_kind::openai ? cfg.openai : cfg.ollama;
}

// The connection index `raw` names, or a client-facing reason it names none. Only a plain decimal
// number of an existing connection passes: "-1", "+1", "0x1", "1.0" and " 1" do not.
std::optional<int> connection_index(std::string_view raw, const route_def& r, const runtime& rt,
                                    std::string& why) {
  auto cfg = rt.config.load();
  auto& p = family_config(*cfg, r.family);
  auto family = r.family == provider_kind::openai ? "OpenAI" : "Ollama";
  int idx = -1;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), idx);
  if (ec != std::errc{} || end != raw.data() + raw.size() || idx < 0 || raw[0] == '+') {
    why = fmt::format("url_idx must be the index of an {} connection (a number from 0), not '{}'",
                      family, raw.substr(0, std::min<std::size_t>(raw.size(), 32)));
    return std::nullopt;
  }
  if (static_cast<std::size_t>(idx) >= p.base_urls.size()) {
    // How many there are is for signed-in callers only.
    why = r.who == access::anyone
              ? fmt::format("there is no {} connection {}", family, idx)
              : fmt::format("there is no {} connection {} ({} configured)", family, idx,
                            p.base_urls.size());
    return std::nullopt;
  }
  return idx;
}

// What a request used, as the admit stage settles it: the tokens its answer reported; none when
// it never reached an upstream or the upstream refused it; unknown (-1: its reservation stays
// spent) when the upstream answered without saying, failed, or the client left.
std::int64_t tokens_used(const request_record* r, const handled& answer, bool generates) {
  if (!r) return -1;
  if (r->prompt_tokens >= 0 && (r->completion_tokens >= 0 || !generates))
    return r->prompt_tokens + std::max<std::int64_t>(r->completion_tokens, 0);
  // Nothing went upstream, or it refused the request (a 4xx of its own): nothing was used. A 5xx
  // may be the gateway's own timeout of a generation the provider finished and bills: unknown.
  if (r->connection.empty() || (answer.status >= 400 && answer.status < 500 && answer.status != 499))
    return 0;
  return -1;
}

net::awaitable<handled> send_limit_refusal(session_io& s, const limit_refusal& r) {
  auto retry = fmt::format("Retry-After: {}\r\n", r.retry_after_s);
  co_return co_await send_body(s, http::status::too_many_requests,
                               limit_refusal_body(r, s.dialect), "application/json", retry);
}

}  // namespace

router::router(runtime& rt, control_plane& cp)
    : rt_(rt), cp_(cp), table_(route_table()), stats_(new route_stats[table_.size() + 1]) {
  for (auto& r : table_) {
    if (r.enabled && !r.enabled(rt.cfg)) continue;  // settings are fixed for the process
    if (literal_pattern(r.pattern))
      literal_[r.pattern].push_back(&r);
    else
      patterned_.push_back(&r);
  }
}

void router::match(std::string_view path, std::uint8_t method, matches& out) const {
  if (auto it = literal_.find(path); it != literal_.end())
    for (auto* r : it->second) {
      if (out.count == std::size(out.found)) return;
      out.params[out.count] = {};
      out.found[out.count++] = r;
      if (r->methods & method) return;  // the common case: one lookup, no scan
    }
  route_params p;
  for (auto* r : patterned_)
    if (out.count < std::size(out.found) && match_route(r->pattern, path, p)) {
      out.params[out.count] = p;
      out.found[out.count++] = r;
    }
}

router::head_verdict router::judge_head(const client_request& req) const {
  head_verdict v;
  auto path = std::string_view(req.target());
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  v.stats = &stats_[table_.size()];
  auto bit = bit_of(req.method());
  matches m;
  match(path, bit, m);
  if (m.count == 0) {
    if (path.starts_with("/ollama/")) v.dialect = error_dialect::ollama;
    return v.refuse(gateway_error::not_found, "Not Found");
  }
  std::uint8_t allowed = 0;
  for (std::size_t i = 0; i < m.count && !v.route; ++i) {
    allowed |= m.found[i]->methods;
    if (m.found[i]->methods & bit) {
      v.route = m.found[i];
      v.params = m.params[i];
    }
  }
  if (!v.route) {
    v.dialect = m.found[0]->dialect;
    v.stats = &stats_[m.found[0] - table_.data()];
    return v.refuse(gateway_error::method_not_allowed, "Method Not Allowed", allow_header(allowed));
  }
  v.stats = &stats_[v.route - table_.data()];
  v.dialect = v.route->dialect;
  if (v.route->who == access::anyone) return v;
  // /metrics names every upstream's host and port: not for anonymous callers under WEBUI_AUTH.
  if (v.route->who == access::metrics &&
      (!rt_.cfg.webui_auth || bears_key(req, rt_.cfg.metrics_api_key)))
    return v;
  auth_refusal why;
  auto who = authenticate(req, rt_, path, why);
  if (!who)
    return v.refuse(why.forbidden ? gateway_error::forbidden : gateway_error::unauthorized,
                    std::move(why.message));
  v.caller = std::move(*who);
  if (auto refused = refuse_unauthorised(*v.route, v.caller, req, rt_.cfg))
    return v.refuse(refused->error, std::move(refused->message));
  return v;
}

// The model the body names in the route's family; on the unified routes, in OpenAI's models,
// then Ollama's (a second look only for what OpenAI's do not have).
model_resolution router::find_model(const api_context& ctx, const route_def& route,
                                    client_request& req, bool waited) const {
  auto catalog = rt_.catalog.load();
  auto found = resolve_model(catalog, route.family, ctx.url_idx, req.body(), waited);
  if (!(route.stages & unified) || found.found || found.model_named.empty()) return found;
  auto in_ollama = resolve_model(catalog, provider_kind::ollama, ctx.url_idx, req.body(), waited);
  if (in_ollama.found || in_ollama.wait_for_lists) return in_ollama;
  return found;
}

model_resolution router::resolve_for(const api_context& ctx, const route_def& route,
                                     client_request& req, bool waited) const {
  auto found = find_model(ctx, route, req, waited);
  // A model the caller may not use is answered as one that is not there: nothing tells them
  // what exists.
  if (found.found && !may_use_named_model(rt_, ctx.caller, found.found->family,
                                          found.found->view.model)) {
    found.message = model_not_found_message(route.family, found.found->view.model, ctx.url_idx);
    found.error = gateway_error::model_not_found;
    found.model_named = found.found->view.model;
    found.found.reset();
  } else if (!found.found && !found.model_named.empty() &&
             (route.stages & (presets_openai | presets_ollama))) {
    resolve_preset(ctx, route, req, waited, found);
  }
  // Open WebUI's unified route says 400 "Model not found", whatever the reason.
  if (!found.found && !found.wait_for_lists && (route.stages & unified) &&
      found.error == gateway_error::model_not_found) {
    found.error = gateway_error::bad_request;
    found.message = "Model not found";
  }
  return found;
}

// The body names no model of the catalog (`r`): perhaps a preset. Access is decided on the
// preset (it grants its base model through itself alone); the base model then resolves as any
// other, into `r`.
void router::resolve_preset(const api_context& ctx, const route_def& route, client_request& req,
                            bool waited, model_resolution& r) const {
  auto models = rt_.models.load();
  auto* preset = models->find(r.model_named);
  if (!preset || preset->base_model_id.empty() || !preset->is_active ||
      !may_use_named_model(rt_, ctx.caller, route.family, preset->id))
    return;
  auto style = route.stages & presets_ollama ? param_style::ollama : param_style::openai;
  // Rewritten in a copy, kept only once the base model resolves: a request that is answered
  // "not found", or looked at again once lists are in, still names the preset (one level: a
  // preset of a preset is not followed).
  std::string body = req.body();
  std::string error;
  if (!apply_preset(body, *preset, style, *ctx.caller.user, error)) {
    r.error = gateway_error::bad_request;
    r.message = std::move(error);
    return;
  }
  body.swap(req.body());
  auto based = find_model(ctx, route, req, waited);
  if (!based.found) {
    body.swap(req.body());  // the client's own request again
    r.wait_for_lists = based.wait_for_lists;
    return;
  }
  r = std::move(based);
  // `body` is the client's own request again (swapped): kept for the inlet filters when any apply.
  if ((route.stages & inlet) &&
      (filters_apply(*r.found) || r.found->catalog->filters.any_for(preset->id, {})))
    r.found->preset.reset(new resolved_model::preset_origin{preset->id, std::move(body)});
}

bool router::resolve_now(api_context& ctx, const route_def& route, client_request& req) const {
  auto found = resolve_for(ctx, route, req, false);
  if (!found.found) return false;
  ctx.model = std::move(found.found);
  return true;
}

net::awaitable<handled> router::resolve_slowly(api_context& ctx, session_io& s,
                                               client_request& req, const route_def& route) const {
  auto found = resolve_for(ctx, route, req, false);
  if (found.wait_for_lists) {
    // Only Ollama's lists are waited for (a model pulled a moment ago), the unified routes' too.
    auto family = route.family;
    if (route.stages & unified) family = provider_kind::ollama;
    co_await wait_for_pending_lists(*rt_.catalog.load(), family);
    found = resolve_for(ctx, route, req, true);
  }
  if (!found.found) co_return co_await send_error(s, found.error, found.message);
  ctx.model = std::move(found.found);
  if (s.record) s.record->model = ctx.model->view.model;
  co_return co_await run_handler(ctx, s, req, route);
}

net::awaitable<handled> router::run_handler(api_context& ctx, session_io& s, client_request& req,
                                            const route_def& route) const {
  if ((route.stages & admit) && s.record) s.record->metered = true;
  if ((route.stages & inlet) && ctx.model && filters_apply(*ctx.model))
    return filter_then_handle(ctx, s, req, route);
  return admit_or_handle(ctx, s, req, route);
}

// Admission comes last, just before the handler: the model it counts in is the one the request
// goes to, after any filter that moved it.
net::awaitable<handled> router::admit_or_handle(api_context& ctx, session_io& s,
                                                client_request& req,
                                                const route_def& route) const {
  if ((route.stages & admit) && rt_.limits_active.load(std::memory_order_acquire))
    return admit_then_handle(ctx, s, req, route);
  return route.handler(ctx, s, req);
}

// The admit stage: counted in the caller's, the key's and the model's limits, or refused; once
// the answer is done, what it reported it used replaces what was reserved.
net::awaitable<handled> router::admit_then_handle(api_context& ctx, session_io& s,
                                                  client_request& req,
                                                  const route_def& route) const {
  admission held;
  // Named, not temporaries of the statement below: g++ 12 destroys a temporary that lives across
  // a co_await twice (the snapshot's shared count, here).
  auto table = rt_.limits.load();
  chat_request_view passthrough;  // what the model stage would have read, for the passthrough
  auto refused = admit_request(std::move(table), admission_of(ctx, req, route, passthrough), held);
  if (refused) {
    rt_.metrics.limit_refusals[refused->whose][static_cast<std::size_t>(refused->kind)].fetch_add(
        1, std::memory_order_relaxed);
    co_return co_await send_limit_refusal(s, *refused);
  }
  auto answer = co_await route.handler(ctx, s, req);
  held.settle(tokens_used(s.record, answer, !(route.stages & no_output)));
  co_return answer;
}

admission_request router::admission_of(const api_context& ctx, client_request& req,
                                       const route_def& route,
                                       chat_request_view& passthrough) const {
  admission_request r;
  r.user_id = ctx.caller.id();
  r.key_id = ctx.caller.api_key_id();
  if (ctx.model) {
    auto& v = ctx.model->view;
    r.model = v.model;
    // Ollama's own API reads num_predict alone; the OpenAI-shaped routes (the unified one to an
    // Ollama model too) may read either: the larger is reserved.
    bool ollama_native = route.dialect == error_dialect::ollama &&
                         !route.pattern.starts_with("/ollama/v1/");
    r.max_output = ollama_native ? v.num_predict : std::max(v.openai_max_output, v.num_predict);
    r.choices = v.choices;
    if (ctx.model->target) r.connection = ctx.model->target->endpoint->id();
  } else if (!req.body().empty() && parse_chat_request(req.body(), passthrough).empty()) {
    // The passthrough: a JSON body that names a model counts in that model's limits.
    r.model = passthrough.model;
    r.max_output = std::max(passthrough.openai_max_output, passthrough.num_predict);
    r.choices = passthrough.choices;
  }
  r.input_bytes = req.body().size();
  // A request without a body (the passthrough's GETs) asks for no generation.
  r.generates = !(route.stages & no_output) && !req.body().empty();
  r.default_max_output = rt_.cfg.limits_default_max_tokens;
  r.now_s = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return r;
}

// The inlet filters, then the request they leave: the same model (its view read again from the
// new body), or another one, which is resolved and authorised as if the client had named it.
net::awaitable<handled> router::filter_then_handle(api_context& ctx, session_io& s,
                                                   client_request& req,
                                                   const route_def& route) const {
  // A preset's filters see the request as the client sent it, the preset not applied yet (Open
  // WebUI's order); it is applied once they are done.
  bool preset = ctx.model->preset != nullptr;
  if (preset) req.body() = std::move(ctx.model->preset->body);
  // Filters read the body inside their own JSON: it must be one whole JSON object, or a client
  // could close it early and speak for the gateway (a forged "user").
  if (!is_json_object_text(req.body()))
    co_return co_await send_error(s, gateway_error::bad_request,
                                  "the request body is not a JSON object");
  pipeline_filter own;
  auto chain = filter_chain_of(*ctx.model, false, own);
  auto verdict = co_await run_filter_chain(s, rt_, std::move(chain), filter_phase::inlet,
                                           ctx.caller, req.body());
  if (verdict.end != filter_verdict::passed)
    co_return co_await answer_filter_verdict(s, std::move(verdict));
  // The filtered body counts against the memory budget until the request ends.
  auto held = std::move(verdict.held);
  chat_request_view filtered;
  if (auto problem = parse_chat_request(req.body(), filtered); !problem.empty()) {
    problem.insert(0, "after the inlet filters: ");
    co_return co_await send_error(s, gateway_error::bad_request, problem);
  }
  if (preset || filtered.model != ctx.model->view.model) {
    auto found = resolve_for(ctx, route, req, true);
    if (!found.found) co_return co_await send_error(s, found.error, found.message);
    ctx.model = std::move(found.found);
    if (s.record) s.record->model = ctx.model->view.model;
  } else {
    ctx.model->view = std::move(filtered);
  }
  co_return co_await admit_or_handle(ctx, s, req, route);
}

void router::note_route(request_record& r, const head_verdict& v) const {
  if (v.route) r.route = v.route->pattern;
  r.user_id = v.caller.id();
  r.api_key_id = v.caller.api_key_id();
}

net::awaitable<std::optional<handled>> router::refuse_head(session_io& s, const client_request& head,
                                                          route_stats*& stats) {
  auto v = judge_head(head);
  if (!v.error) co_return std::nullopt;
  stats = v.stats;
  s.dialect = v.dialect;
  handled answer = co_await send_error(s, *v.error, v.message, v.extra);
  co_return answer;
}

net::awaitable<handled> router::handle(session_io& s, client_request& req, route_stats*& stats) {
  auto v = judge_head(req);
  stats = v.stats;
  s.dialect = v.dialect;
  if (s.record) note_route(*s.record, v);
  if (v.error) co_return co_await send_error(s, *v.error, v.message, v.extra);
  api_context ctx{rt_, cp_, *this, std::move(v.caller), std::nullopt, v.params.path, v.params.id,
                  std::nullopt};
  if (v.params.url_idx) {
    std::string why;
    ctx.url_idx = connection_index(*v.params.url_idx, *v.route, rt_, why);
    if (!ctx.url_idx) co_return co_await send_error(s, gateway_error::not_found, why);
  }
  // The model stage decides synchronously in the common case; waiting for lists and answering an
  // error run in a frame of their own, so this one stays small enough for Asio to recycle.
  if ((v.route->stages & by_model) && !resolve_now(ctx, *v.route, req))
    co_return co_await resolve_slowly(ctx, s, req, *v.route);
  if (s.record && ctx.model) s.record->model = ctx.model->view.model;
  co_return co_await run_handler(ctx, s, req, *v.route);
}

}  // namespace sb
