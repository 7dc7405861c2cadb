// /api/v1/pipelines (admin), Open WebUI's routers/pipelines.py: managing a Pipelines server that
// is one of the OpenAI connections (`urlIdx`). Each route is one call to that server with only its
// own key; its JSON answer passes as it is. Errors as Open WebUI shapes them: the server's status
// and `detail` (scrubbed of the connection's secrets), or 404 "Pipeline not found" when it cannot
// be reached or the index names no running connection.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api/json_depth.hpp"
#include "http/api/handlers.hpp"
#include "http/api/pipelines/filter_chain.hpp"
#include "http/api/pipelines/multipart_form.hpp"
#include "http/api/query_string.hpp"
#include "http/api/shared_flight.hpp"
#include "http/server/field_value.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/error_scrub.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view not_found = "Pipeline not found";

// The running OpenAI connection `raw` (a decimal urlIdx) names, or null.
std::shared_ptr<upstream_endpoint> pipeline_server(const runtime& rt, std::string_view raw) {
  int idx = -1;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), idx);
  if (raw.empty() || ec != std::errc{} || end != raw.data() + raw.size()) return nullptr;
  for (auto& ep : rt.catalog.load()->upstreams)
    if (ep->key().kind == provider_kind::openai && ep->key().idx == idx) return ep;
  return nullptr;
}

std::optional<json::object> object_of(const std::string& body) {
  boost::system::error_code ec;
  auto v = parse_body_json(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// `urlIdx` from the query, else from the JSON body (add and delete send it there).
std::string url_idx_of(const client_request& req, const json::object* body) {
  auto q = query_value(req.target(), "urlIdx");
  if (!q.empty() || !body) return q;
  auto* v = body->if_contains("urlIdx");
  if (v && v->is_int64()) return std::to_string(v->as_int64());
  if (v && v->is_string()) return std::string(v->as_string());
  return {};
}

route_result answer_detail(session_io& s, unsigned status, std::string detail) {
  co_return co_await send_body(s, static_cast<http::status>(status),
                               error_body("pipelines", detail, static_cast<int>(status)));
}

// One call to the server; its JSON object answer, or the error Open WebUI would give.
route_result relay_to_server(api_context& ctx, session_io& s, std::shared_ptr<upstream_endpoint> ep,
                             http::verb method, std::string path, std::string body,
                             std::string content_type = "application/json") {
  if (!ep) co_return co_await answer_detail(s, 404, std::string(not_found));
  auto cancel = std::make_shared<cancel_group>();
  call_options o;
  o.timeout = ctx.rt.cfg.upstream_response_timeout;
  o.budget = &ctx.rt.buffers;
  o.cancel = cancel->join();
  o.content_type = std::move(content_type);
  auto replies = co_await call_for_client(
      s, cancel, one_call(call_upstream(ep, method, std::move(path), std::move(body), std::move(o))));
  if (!replies) co_return client_left();
  auto& r = replies->front();
  if (r.over_budget)
    co_return co_await send_error(s, gateway_error::overloaded, "retry shortly");
  if (r.status == 0) co_return co_await answer_detail(s, 404, std::string(not_found));
  auto answer = object_of(r.body);
  if (r.status >= 200 && r.status < 300 && answer)
    co_return co_await send_body(s, http::status::ok, std::move(r.body));
  std::string detail(not_found);
  if (auto* d = answer ? answer->if_contains("detail") : nullptr; d && !d->is_null())
    detail = scrub_upstream_text(d->is_string() ? std::string(d->as_string()) : json::serialize(*d),
                                 ep->secrets());
  // An error status passes as it is; anything else (a 2xx that is not JSON, a redirect, a status
  // that is none) is the gateway's 502.
  unsigned status = r.status >= 400 && r.status < 600 ? static_cast<unsigned>(r.status) : 502;
  co_return co_await answer_detail(s, status, std::move(detail));
}

// JSON built outside the coroutines: g++ 12 miscompiles braced lists of string literals there.
std::string one_field(const char* key, std::string_view value) {
  return json::serialize(json::object{{key, value}});
}

std::string servers_list(const catalog_snapshot& c) {
  json::array data;
  for (auto& ep : c.pipeline_servers)
    data.push_back(json::object{{"url", ep->target_url()}, {"idx", ep->key().idx}});
  return json::serialize(json::object{{"data", data}});
}

// `id` is the route's raw path segment, still percent-encoded as the client sent it: passed on
// as it is (encoding it again would turn "%20" into "%2520").
std::string pipeline_path(std::string_view id, std::string_view rest) {
  return "/" + std::string(id) + std::string(rest);
}

}  // namespace

route_result pipelines_list(api_context& ctx, session_io& s, client_request&) {
  auto body = servers_list(*ctx.rt.catalog.load());
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

route_result pipelines_of_server(api_context& ctx, session_io& s, client_request& req) {
  return relay_to_server(ctx, s, pipeline_server(ctx.rt, url_idx_of(req, nullptr)),
                         http::verb::get, "/pipelines", "");
}

// Add and delete: the form's one string field `key` (and its urlIdx) is all the server gets.
route_result forward_field(api_context& ctx, session_io& s, client_request& req, const char* key,
                           http::verb method, const char* path) {
  auto form = object_of(req.body());
  auto* value = form ? form->if_contains(key) : nullptr;
  if (!value || !value->is_string())
    co_return co_await answer_detail(s, 400, fmt::format("body must carry the \"{}\" of a pipeline", key));
  auto ep = pipeline_server(ctx.rt, url_idx_of(req, &*form));
  auto body = one_field(key, value->as_string());
  co_return co_await relay_to_server(ctx, s, std::move(ep), method, path, std::move(body));
}

route_result pipelines_add(api_context& ctx, session_io& s, client_request& req) {
  return forward_field(ctx, s, req, "url", http::verb::post, "/pipelines/add");
}

route_result pipelines_delete(api_context& ctx, session_io& s, client_request& req) {
  return forward_field(ctx, s, req, "id", http::verb::delete_, "/pipelines/delete");
}

route_result pipelines_upload(api_context& ctx, session_io& s, client_request& req) {
  auto parts = read_form(req.body(), form_boundary(field_value(req, http::field::content_type)));
  if (!parts)
    co_return co_await answer_detail(s, 400, "the body must be a multipart form with a \"file\"");
  const form_part* file = nullptr;
  std::string idx = query_value(req.target(), "urlIdx");
  for (auto& p : *parts) {
    if (p.name == "file" && p.filename) file = &p;
    if (p.name == "urlIdx" && idx.empty()) idx = std::string(p.content);
  }
  if (!file) co_return co_await answer_detail(s, 400, "the form has no \"file\"");
  auto name = file->filename->substr(file->filename->find_last_of("/\\") + 1);
  if (!name.ends_with(".py") || name.find_first_of("\"\r\n\0", 0, 4) != std::string::npos)
    co_return co_await answer_detail(s, 400, "Only Python (.py) files are allowed.");
  std::string boundary;
  auto body = one_file_form("file", name, file->content, boundary);
  auto type = "multipart/form-data; boundary=" + boundary;
  co_return co_await relay_to_server(ctx, s, pipeline_server(ctx.rt, idx), http::verb::post,
                                     "/pipelines/upload", std::move(body), std::move(type));
}

route_result pipeline_valves(api_context& ctx, session_io& s, client_request& req) {
  return relay_to_server(ctx, s, pipeline_server(ctx.rt, url_idx_of(req, nullptr)),
                         http::verb::get, pipeline_path(ctx.id, "/valves"), "");
}

route_result pipeline_valves_spec(api_context& ctx, session_io& s, client_request& req) {
  return relay_to_server(ctx, s, pipeline_server(ctx.rt, url_idx_of(req, nullptr)),
                         http::verb::get, pipeline_path(ctx.id, "/valves/spec"), "");
}

route_result pipeline_valves_update(api_context& ctx, session_io& s, client_request& req) {
  auto form = object_of(req.body());
  if (!form) co_return co_await answer_detail(s, 400, "the valves must be a JSON object");
  auto ep = pipeline_server(ctx.rt, url_idx_of(req, nullptr));
  co_return co_await relay_to_server(ctx, s, std::move(ep), http::verb::post,
                                     pipeline_path(ctx.id, "/valves/update"),
                                     std::move(req.body()));
}

}  // namespace sb
