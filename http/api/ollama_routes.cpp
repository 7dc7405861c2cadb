// /ollama: Ollama's own API over every configured Ollama server, as one server. Inference is
// routed by model to a server holding it (or to the one `{url_idx}` names, if it holds it);
// management routes reach one server (or, for unload, every holder); lists come from the catalog
// snapshot, never from an upstream on the request path; version and ps ask every server at once.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api/json_depth.hpp"
#include "http/api/caller.hpp"
#include "http/api/chat_request.hpp"
#include "http/api/handlers.hpp"
#include "http/api/model_routing.hpp"
#include "http/api/list_refresh.hpp"
#include "http/api/shared_flight.hpp"
#include "http/api/stages/resolve_model.hpp"
#include "http/api/stages/stream_usage.hpp"
#include "http/api/visible_models.hpp"
#include "http/server/field_value.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/providers/model_entries.hpp"
#include "http/upstream/providers/provider_adapter.hpp"
#include "http/upstream/upstream_call.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_error.hpp"
#include "messages/control_plane.hpp"

namespace sb {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

using endpoint_ptr = std::shared_ptr<upstream_endpoint>;

const model_route* find_model(const catalog_snapshot& c, std::string_view name) {
  return find_model_route(c, provider_kind::ollama, name);
}

route_result model_not_found(session_io& s, std::string_view name, std::optional<int> url_idx) {
  return answer_error(s, gateway_error::model_not_found,
                      model_not_found_message(provider_kind::ollama, name, url_idx));
}

// The running Ollama servers, in index order.
std::vector<endpoint_ptr> ollama_servers(const catalog_snapshot& c) {
  std::vector<endpoint_ptr> out;
  for (auto& ep : c.upstreams)
    if (ep->key().kind == provider_kind::ollama) out.push_back(ep);
  return out;
}

// The server a request without a model goes to: `url_idx`'s, else the first running one.
endpoint_ptr server_for(const catalog_snapshot& c, std::optional<int> url_idx) {
  for (auto& ep : ollama_servers(c))
    if (!url_idx || ep->key().idx == *url_idx) return ep;
  return nullptr;
}

route_result no_server(session_io& s, std::optional<int> url_idx) {
  if (url_idx)
    co_return co_await send_error(
        s, gateway_error::upstream_unreachable,
        fmt::format("Ollama connection {} is disabled or has not been reached yet", *url_idx));
  co_return co_await send_error(s, gateway_error::upstream_unreachable,
                                "no Ollama server is configured and enabled");
}

// A failed call_upstream (no answer, or an error answer) in the route's dialect.
route_result answer_failed_call(session_io& s, const upstream_endpoint& ep,
                                const upstream_reply& r, const runtime& rt) {
  if (r.status == 0)
    co_return co_await send_error(
        s, r.timed_out ? gateway_error::upstream_timeout : gateway_error::upstream_unreachable,
        fmt::format("{} failed: {}", connection_name(ep), r.error));
  auto [code, body] = upstream_error_answer(r.status, r.body, ep, s.dialect);
  co_return co_await send_body(s, code, std::move(body));
}

// The model a management request names ("model", or Ollama's older "name"), read from a JSON
// object; empty when there is none.
std::string named_model(const json::object& o) {
  for (auto key : {"model", "name"})
    if (auto* v = o.if_contains(key); v && v->is_string() && !v->as_string().empty())
      return std::string(v->as_string());
  return {};
}

std::optional<json::object> json_object_body(const std::string& body) {
  boost::system::error_code ec;
  auto v = parse_body_json(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// `name` without the connection's "{prefix_id}." (a copy's destination is named as clients see
// models; the server knows it without the prefix).
std::string without_prefix(const connection_spec& spec, std::string_view name) {
  if (!spec.prefix_id.empty() && name.starts_with(spec.prefix_id + "."))
    name.remove_prefix(spec.prefix_id.size() + 1);
  return std::string(name);
}

// Relays a request routed by its model (resolved by the by_model stage): `path` on the server
// picked. `stream_default` is what Ollama assumes when the body does not say. Not a coroutine:
// it decides synchronously and returns the relay (or the error) to be awaited.
route_result relay_by_model(api_context& ctx, session_io& s, client_request& req,
                            const char* path, bool stream_default, bool openai_shaped = false) {
  auto& m = *ctx.model;
  if (!m.target) return answer_all_down(s, *m.route, std::string(m.view.model));
  const route_target* t = m.target;
  if (t->upstream_model != m.view.model) replace_model(req.body(), m.view, t->upstream_model);
  upstream_request up;
  up.path = path;
  up.model = t->upstream_model;
  up.accept = std::string(field_value(req, http::field::accept));
  up.body = std::move(req.body());
  up.wants_stream = m.view.stream_given ? m.view.stream : stream_default;
  if (openai_shaped) meter_stream_usage(s, ctx.rt, m.view, up);
  if (m.route->needs_caller) up.caller = caller_identity_of(ctx, req);
  return relay_with_failover(s, ctx.rt, std::move(m.catalog), *m.route, t, std::move(up),
                             !ctx.url_idx);
}

// Relays a request that names no model the catalog knows (pull, create) to one server, then has
// that server's list fetched again.
route_result relay_to_server(api_context& ctx, session_io& s, client_request& req,
                             const char* path) {
  auto server = server_for(*ctx.rt.catalog.load(), ctx.url_idx);
  if (!server) co_return co_await no_server(s, ctx.url_idx);
  chat_request_view view;
  if (auto problem = parse_chat_request(req.body(), view, true); !problem.empty())
    co_return co_await send_error(s, gateway_error::bad_request, problem);
  upstream_request up;
  up.path = path;
  up.accept = std::string(req[http::field::accept]);
  up.body = std::move(req.body());
  up.wants_stream = view.stream_given ? view.stream : true;
  if (server->needs_caller()) up.caller = caller_identity_of(ctx, req);
  // Pending from now: a chat for the new model waits for the list rather than a 404.
  server->ask_list_refresh();
  auto answer = co_await relay_to_upstream(s, ctx.rt, server, std::move(up));
  refresh_list(ctx, *server);
  co_return answer;
}

// "0.5.13" < "0.6.0"; a leading "v" and any "-suffix" are ignored, as Open WebUI compares.
std::vector<int> version_parts(std::string_view v) {
  if (v.starts_with('v')) v.remove_prefix(1);
  v = v.substr(0, v.find('-'));
  std::vector<int> parts;
  while (!v.empty()) {
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{}) return {};
    parts.push_back(n);
    v.remove_prefix(static_cast<std::size_t>(end - v.data()));
    if (!v.empty() && v.front() != '.') return {};
    if (!v.empty()) v.remove_prefix(1);
  }
  return parts;
}

// The bodies below are built outside the coroutines: g++ 12 mishandles braced initializer lists
// in coroutine bodies.
std::string copy_body(const route_target& t, std::string_view destination) {
  return json::serialize(json::object{
      {"source", t.upstream_model}, {"destination", without_prefix(*t.endpoint->settings(), destination)}});
}

std::string model_body(const route_target& t) {
  return json::serialize(json::object{{"model", t.upstream_model}});
}

std::string unload_body(const route_target& t) {
  return json::serialize(json::object{{"model", t.upstream_model}, {"keep_alive", 0}});
}

std::string unload_failures(const std::vector<const route_target*>& holders,
                            const std::vector<upstream_reply>& replies) {
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < replies.size(); ++i)
    if (replies[i].status < 200 || replies[i].status >= 300)
      failures.push_back(fmt::format(
          "{}: {}", connection_name(*holders[i]->endpoint),
          replies[i].status == 0 ? replies[i].error : "HTTP " + std::to_string(replies[i].status)));
  if (failures.empty()) return {};
  return fmt::format("Failed to unload model on {} servers: {}", failures.size(),
                     fmt::join(failures, "; "));
}

// The servers' /api/ps answers merged by model (prefixes applied, allow-lists honoured), each
// entry with the servers running it ("urls"). A server that did not answer is left out.
std::string merged_ps(const std::vector<endpoint_ptr>& servers,
                      const std::vector<upstream_reply>& replies) {
  json::array merged;
  std::map<std::string, std::size_t> at;  // model -> index in merged
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].status != 200) continue;
    auto body = json_object_body(replies[i].body);
    auto* models = body ? body->if_contains("models") : nullptr;
    if (!models || !models->is_array()) continue;
    auto settings = servers[i]->settings();
    auto& spec = *settings;
    for (auto& m : models->as_array()) {
      if (!m.is_object()) continue;
      auto entry = m.as_object();
      auto upstream_name = named_model(entry);
      if (upstream_name.empty() || !allowed_model(spec, upstream_name)) continue;
      auto id = exposed_model_id(spec, upstream_name);
      entry["model"] = id;
      if (!spec.prefix_id.empty()) entry["name"] = id;
      auto [pos, fresh] = at.emplace(id, merged.size());
      if (fresh) {
        entry["urls"] = json::array{spec.key.idx};
        merged.push_back(std::move(entry));
      } else {
        merged[pos->second].as_object()["urls"].as_array().push_back(spec.key.idx);
      }
    }
  }
  return json::serialize(json::object{{"models", std::move(merged)}});
}

// Version answers are reused for a second on each I/O thread (per catalog generation and index):
// the route needs no sign-in and asks every server, so a flood of it must not become a flood on
// the servers.
struct version_answer {
  std::uint64_t generation = 0;
  std::chrono::steady_clock::time_point at;
  std::string body;
};
constexpr auto version_reuse = std::chrono::seconds(1);

std::map<int, version_answer>& version_answers() {
  thread_local std::map<int, version_answer> answers;  // key: url_idx, -1 for all servers
  return answers;
}

void remember_version(int key, std::uint64_t generation, std::chrono::steady_clock::time_point at,
                      const std::string& body) {
  auto& a = version_answers()[key];
  a.generation = generation;
  a.at = at;
  a.body = body;
}

// {"version": ...} with the lowest version the servers answered, or empty when none did.
std::string lowest_version(const std::vector<upstream_reply>& replies) {
  std::optional<std::pair<std::vector<int>, std::string>> lowest;
  for (auto& r : replies) {
    if (r.status != 200) continue;
    auto body = json_object_body(r.body);
    auto* v = body ? body->if_contains("version") : nullptr;
    if (!v || !v->is_string()) continue;
    auto parts = version_parts(v->as_string());
    if (parts.empty()) continue;
    if (!lowest || parts < lowest->first)
      lowest.emplace(std::move(parts), std::string(v->as_string()));
  }
  if (!lowest) return {};
  return json::serialize(json::object{{"version", lowest->second}});
}

// The calls of a fan-out of `method` `path` to each of `servers`, for join_flight. Made outside
// the coroutines: g++ 12 mishandles lambda captures written inside them.
std::function<upstream_calls(const std::shared_ptr<cancel_group>&)> fan_out(
    std::vector<endpoint_ptr> servers, const char* path, std::chrono::milliseconds timeout) {
  return [servers = std::move(servers), path, timeout](const std::shared_ptr<cancel_group>& g) {
    upstream_calls calls;
    for (auto& ep : servers)
      calls.push_back(call_upstream(ep, http::verb::get, path, std::string(), timeout,
                                    32ull << 20, g->join()));
    return calls;
  };
}

// A flight's key: what it asks of which servers (the catalog generation names the set).
std::string flight_key(const char* path, std::uint64_t generation, std::optional<int> url_idx) {
  return fmt::format("{} {} {}", path, generation, url_idx.value_or(-1));
}

}  // namespace

route_result ollama_tags(api_context& ctx, session_io& s, client_request&) {
  auto c = ctx.rt.catalog.load();
  static const auto empty = catalog_snapshot::empty_tags_list();
  auto body = visible_list(ctx, list_for(c->ollama_tags, c->ollama_tags_by_idx, ctx.url_idx, empty));
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result ollama_v1_models(api_context& ctx, session_io& s, client_request&) {
  auto c = ctx.rt.catalog.load();
  static const auto empty = catalog_snapshot::empty_openai_list();
  auto body = visible_list(
      ctx, list_for(c->ollama_v1_models, c->ollama_v1_models_by_idx, ctx.url_idx, empty));
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result ollama_chat(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/api/chat", true);
}
route_result ollama_generate(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/api/generate", true);
}
route_result ollama_embed(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/api/embed", false);
}
route_result ollama_embeddings(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/api/embeddings", false);
}
route_result ollama_show(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/api/show", false);
}
route_result ollama_v1_chat(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/v1/chat/completions", false, true);
}
route_result ollama_v1_completions(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/v1/completions", false, true);
}
route_result ollama_push(api_context& ctx, session_io& s, client_request& req) {
  return relay_by_model(ctx, s, req, "/api/push", true);
}
route_result ollama_pull(api_context& ctx, session_io& s, client_request& req) {
  return relay_to_server(ctx, s, req, "/api/pull");
}
route_result ollama_create(api_context& ctx, session_io& s, client_request& req) {
  return relay_to_server(ctx, s, req, "/api/create");
}

route_result ollama_copy(api_context& ctx, session_io& s, client_request& req) {
  auto body = json_object_body(req.body());
  auto* source = body ? body->if_contains("source") : nullptr;
  auto* destination = body ? body->if_contains("destination") : nullptr;
  if (!source || !source->is_string() || !destination || !destination->is_string() ||
      destination->as_string().empty())
    co_return co_await send_error(s, gateway_error::bad_request,
                                  "body must name a \"source\" and a \"destination\" model");
  std::string name(source->as_string());
  auto catalog = ctx.rt.catalog.load();
  auto* route = find_model(*catalog, name);
  // Without an index, the first server holding the source, as Open WebUI does.
  const route_target* t =
      !route ? nullptr : ctx.url_idx ? pick_target(*route, ctx.url_idx) : &route->targets.front();
  if (!t) co_return co_await model_not_found(s, name, ctx.url_idx);
  auto& ep = *t->endpoint;
  auto cancel = std::make_shared<cancel_group>();
  auto replies = co_await call_for_client(
      s, cancel,
      one_call(call_upstream(t->endpoint, http::verb::post, "/api/copy",
                             copy_body(*t, destination->as_string()),
                             ctx.rt.cfg.upstream_response_timeout, 32ull << 20, cancel->join())));
  if (!replies) co_return client_left();
  auto& r = replies->front();
  if (r.status < 200 || r.status >= 300) co_return co_await answer_failed_call(s, ep, r, ctx.rt);
  co_await refresh_list_and_wait(ctx, ep);  // answered once the list says so
  co_return co_await send_body(s, http::status::ok, "true");
}

route_result ollama_delete(api_context& ctx, session_io& s, client_request& req) {
  auto body = json_object_body(req.body());
  auto name = body ? named_model(*body) : std::string();
  if (name.empty())
    co_return co_await send_error(s, gateway_error::bad_request, "body must name a \"model\"");
  auto catalog = ctx.rt.catalog.load();
  auto* route = find_model(*catalog, name);
  const route_target* t =
      !route ? nullptr : ctx.url_idx ? pick_target(*route, ctx.url_idx) : &route->targets.front();
  if (!t) co_return co_await model_not_found(s, name, ctx.url_idx);
  auto& ep = *t->endpoint;
  auto cancel = std::make_shared<cancel_group>();
  auto replies = co_await call_for_client(
      s, cancel,
      one_call(call_upstream(t->endpoint, http::verb::delete_, "/api/delete", model_body(*t),
                             ctx.rt.cfg.upstream_response_timeout, 32ull << 20, cancel->join())));
  if (!replies) co_return client_left();
  auto& r = replies->front();
  if (r.status < 200 || r.status >= 300) co_return co_await answer_failed_call(s, ep, r, ctx.rt);
  co_await refresh_list_and_wait(ctx, ep);  // answered once the list says so
  co_return co_await send_body(s, http::status::ok, "true");
}

// Unloads the model from memory on every server holding it (or the one `{url_idx}` names).
route_result ollama_unload(api_context& ctx, session_io& s, client_request& req) {
  auto body = json_object_body(req.body());
  auto name = body ? named_model(*body) : std::string();
  if (name.empty())
    co_return co_await send_error(s, gateway_error::bad_request,
                                  "Missing name of the model to unload.");
  auto catalog = ctx.rt.catalog.load();
  auto* route = find_model(*catalog, name);
  std::vector<const route_target*> holders;
  if (route)
    for (auto& t : route->targets)
      if (!ctx.url_idx || t.endpoint->key().idx == *ctx.url_idx) holders.push_back(&t);
  if (holders.empty()) co_return co_await model_not_found(s, name, ctx.url_idx);
  auto cancel = std::make_shared<cancel_group>();
  upstream_calls calls;
  for (auto* t : holders)
    calls.push_back(call_upstream(t->endpoint, http::verb::post, "/api/generate", unload_body(*t),
                                  ctx.rt.cfg.upstream_response_timeout, 32ull << 20,
                                  cancel->join()));
  auto replies = co_await call_for_client(s, cancel, std::move(calls));
  if (!replies) co_return client_left();
  if (auto failed = unload_failures(holders, *replies); !failed.empty())
    co_return co_await send_error(s, gateway_error::upstream_unreachable, failed);
  co_return co_await send_body(s, http::status::ok, R"({"status":true})");
}

// GET /api/ps of every server at once, merged. Concurrent callers share one flight.
route_result ollama_ps(api_context& ctx, session_io& s, client_request&) {
  auto catalog = ctx.rt.catalog.load();
  auto servers = ollama_servers(*catalog);
  auto replies = co_await join_flight(s, flight_key("/api/ps", catalog->generation, std::nullopt),
                                      fan_out(servers, "/api/ps", ctx.rt.cfg.model_list_timeout));
  if (!replies) co_return client_left();
  co_return co_await send_body(s, http::status::ok, merged_ps(servers, *replies));
}

// The lowest version among the enabled servers (a client checks what every server can do), or
// one server's with `{url_idx}`. Anyone may ask: answers are reused for a second, and concurrent
// callers share one flight.
route_result ollama_version(api_context& ctx, session_io& s, client_request&) {
  if (!ctx.rt.config.load()->ollama.enable)
    co_return co_await send_body(s, http::status::ok, R"({"version":false})");
  auto catalog = ctx.rt.catalog.load();
  auto& reuse = version_answers()[ctx.url_idx.value_or(-1)];
  if (reuse.generation == catalog->generation &&
      std::chrono::steady_clock::now() - reuse.at < version_reuse)
    co_return co_await send_body(s, http::status::ok, reuse.body);
  std::vector<endpoint_ptr> servers;
  if (ctx.url_idx) {
    auto one = server_for(*catalog, ctx.url_idx);
    if (!one) co_return co_await no_server(s, ctx.url_idx);
    servers.push_back(one);
  } else {
    servers = ollama_servers(*catalog);
  }
  auto replies =
      co_await join_flight(s, flight_key("/api/version", catalog->generation, ctx.url_idx),
                           fan_out(servers, "/api/version", ctx.rt.cfg.model_list_timeout));
  if (!replies) co_return client_left();
  auto lowest = lowest_version(*replies);
  if (lowest.empty()) {
    if (servers.size() == 1 && (*replies)[0].status != 200)
      co_return co_await answer_failed_call(s, *servers[0], (*replies)[0], ctx.rt);
    co_return co_await send_error(s, gateway_error::upstream_unreachable,
                                  "no Ollama server answered /api/version");
  }
  // Stamped when the answer came: a slow answer is not stale the moment it is stored.
  remember_version(ctx.url_idx.value_or(-1), catalog->generation,
                   std::chrono::steady_clock::now(), lowest);
  co_return co_await send_body(s, http::status::ok, std::move(lowest));
}

}  // namespace sb
