// /api/v1/models: the workspace's custom models, Open WebUI's routes, shapes, statuses and texts
// (routers/models.py, v0.6: ids in the query, since they may hold '/'). Who may read or change a
// model is http/auth/model_access.hpp's rule; the models actor decides whether an id is free.
// A model the caller may not read is answered as one that is not there.
#include <boost/json.hpp>

#include "http/api/control_change.hpp"
#include "http/api/handlers.hpp"
#include "http/api/model_json.hpp"
#include "http/api/query_string.hpp"
#include "http/auth/model_access.hpp"
#include "http/auth/permissions.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view not_found_text = "We could not find what you're looking for :/";
constexpr std::string_view id_taken_text =
    "Uh-oh! This model id is already registered. Please choose another model id string.";
constexpr std::string_view unauthorized_text = "401 Unauthorized";
constexpr std::string_view prohibited_text =
    "You do not have permission to access this resource. Please contact your administrator for "
    "assistance.";
constexpr std::string_view too_long_text =
    "The model id is too long. Please make sure your model id is less than 256 characters long.";
constexpr std::size_t max_id_length = 256;

const user_account& caller_of(const api_context& ctx) { return *ctx.caller.user; }

// The workspace's view: admins (unless BYPASS_ADMIN_ACCESS_CONTROL=False) read every model.
bool may_read(const api_context& ctx, const custom_model& m, const accounts_snapshot& a) {
  auto& u = caller_of(ctx);
  if (u.role == account_role::admin && ctx.rt.cfg.bypass_admin_access) return true;
  return granted(m, u, a, model_right::read);
}

bool may_write(const api_context& ctx, const custom_model& m, const accounts_snapshot& a) {
  auto& u = caller_of(ctx);
  return u.role == account_role::admin || granted(m, u, a, model_right::write);
}

std::string model_body(const custom_model_pointer& m) { return json::serialize(model_json(*m)); }

// The stored model `?id=` names, when the caller may read it.
custom_model_pointer readable_model(const api_context& ctx, const client_request& req) {
  auto id = query_value(req.target(), "id");
  auto models = ctx.rt.models.load();
  auto it = models->by_id.find(id);
  if (it == models->by_id.end()) return nullptr;
  return may_read(ctx, *it->second, *ctx.rt.accounts.load()) ? it->second : nullptr;
}

// The stored model `?id=` names when the caller may change it; `seen` says whether they may at
// least read it (else it is answered as not there).
custom_model_pointer writable_model(const api_context& ctx, const client_request& req, bool& seen) {
  auto m = readable_model(ctx, req);
  seen = m != nullptr;
  if (!m || !may_write(ctx, *m, *ctx.rt.accounts.load())) return nullptr;
  return m;
}

route_result refused(session_io& s, const model_reply& r) {
  if (r.status == model_status::id_taken)
    return send_error(s, gateway_error::unauthorized, id_taken_text);
  if (r.status == model_status::not_found)
    return send_error(s, gateway_error::unauthorized, not_found_text);
  return send_error(s, gateway_error::internal, r.error);
}

// Beyond Open WebUI: what an entry may say depends on who writes it. An entry describing a base
// model decides who may use that model, so only admins write one; a preset may only be built on
// a model its author may use, or a public preset would hand out a model kept from them.
bool may_describe(const api_context& ctx, const custom_model& m) {
  auto& u = caller_of(ctx);
  if (u.role == account_role::admin) return true;
  if (m.base_model_id.empty()) return false;
  return may_use_model(ctx.rt.cfg, *ctx.rt.models.load(), *ctx.rt.accounts.load(), u,
                       m.base_model_id);
}

// Why the caller may not make a model, or empty.
std::optional<std::pair<gateway_error, std::string_view>> create_refusal(
    const api_context& ctx, const custom_model& m) {
  auto accounts = ctx.rt.accounts.load();
  if (!permitted(*accounts, caller_of(ctx), "workspace", "models") || !may_describe(ctx, m))
    return std::pair{gateway_error::unauthorized, unauthorized_text};
  if (ctx.rt.models.load()->find(m.id))
    return std::pair{gateway_error::unauthorized, id_taken_text};
  if (m.id.size() > max_id_length) return std::pair{gateway_error::bad_request, too_long_text};
  return std::nullopt;
}

// Applies `cmd` and answers with the model as stored now.
route_result change_and_answer(api_context& ctx, session_io& s, model_command cmd) {
  auto r = co_await change_models(ctx.cp, std::move(cmd));
  if (r.status != model_status::done) co_return co_await refused(s, r);
  co_return co_await send_body(s, http::status::ok, model_body(r.model));
}

}  // namespace

// GET /api/v1/models/: the models the caller may read, each with its owner.
route_result models_list(api_context& ctx, session_io& s, client_request&) {
  auto models = ctx.rt.models.load();
  auto accounts = ctx.rt.accounts.load();
  std::vector<const custom_model*> shown;
  for (auto& [id, m] : models->by_id)
    if (may_read(ctx, *m, *accounts)) shown.push_back(m.get());
  std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) {
    return a->updated_at != b->updated_at ? a->updated_at > b->updated_at : a->id < b->id;
  });
  json::array out;
  for (auto* m : shown) out.push_back(model_json(*m, accounts.get()));
  co_return co_await send_body(s, http::status::ok, json::serialize(out));
}

// GET /api/v1/models/base (admin): the entries that describe base models.
route_result models_base(api_context& ctx, session_io& s, client_request&) {
  auto models = ctx.rt.models.load();
  json::array out;
  for (auto& [id, m] : models->by_id)
    if (m->base_model_id.empty()) out.push_back(model_json(*m));
  co_return co_await send_body(s, http::status::ok, json::serialize(out));
}

// POST /api/v1/models/create: admins, and users whose permissions hold workspace.models.
route_result model_create(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = read_model_form(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  if (auto why = create_refusal(ctx, *form))
    co_return co_await send_error(s, why->first, why->second);
  form->user_id = ctx.caller.id();
  model_command cmd = create_model{std::move(*form)};
  co_return co_await change_and_answer(ctx, s, std::move(cmd));
}

// GET /api/v1/models/model?id=
route_result model_get(api_context& ctx, session_io& s, client_request& req) {
  auto m = readable_model(ctx, req);
  if (!m) co_return co_await send_error(s, gateway_error::unauthorized, not_found_text);
  co_return co_await send_body(s, http::status::ok, model_body(m));
}

// POST /api/v1/models/model/toggle?id=: is_active flipped, by whoever may write it.
route_result model_toggle(api_context& ctx, session_io& s, client_request& req) {
  bool seen = false;
  auto m = writable_model(ctx, req, seen);
  if (!seen) co_return co_await send_error(s, gateway_error::unauthorized, not_found_text);
  if (!m) co_return co_await send_error(s, gateway_error::unauthorized, unauthorized_text);
  model_command cmd = toggle_model{m->id};
  co_return co_await change_and_answer(ctx, s, std::move(cmd));
}

// POST /api/v1/models/model/update?id=: every field of the form but the id (the query's).
route_result model_update(api_context& ctx, session_io& s, client_request& req) {
  bool seen = false;
  auto m = writable_model(ctx, req, seen);
  if (!seen) co_return co_await send_error(s, gateway_error::unauthorized, not_found_text);
  if (!m) co_return co_await send_error(s, gateway_error::bad_request, prohibited_text);
  std::string error;
  auto form = read_model_form(req.body(), error);
  if (!form) co_return co_await send_error(s, gateway_error::bad_request, error);
  form->id = m->id;
  if (!may_describe(ctx, *form))
    co_return co_await send_error(s, gateway_error::bad_request, prohibited_text);
  model_command cmd = update_model{std::move(*form)};
  co_return co_await change_and_answer(ctx, s, std::move(cmd));
}

// DELETE /api/v1/models/model/delete?id=
route_result model_delete(api_context& ctx, session_io& s, client_request& req) {
  bool seen = false;
  auto m = writable_model(ctx, req, seen);
  if (!seen) co_return co_await send_error(s, gateway_error::unauthorized, not_found_text);
  if (!m) co_return co_await send_error(s, gateway_error::unauthorized, unauthorized_text);
  model_command cmd = delete_model{m->id};
  auto r = co_await change_models(ctx.cp, std::move(cmd));
  if (r.status != model_status::done) co_return co_await refused(s, r);
  co_return co_await send_body(s, http::status::ok, "true");
}

}  // namespace sb
