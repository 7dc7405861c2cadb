// /api/v1/groups: create, list, get, update, members added and removed, delete; Open WebUI's
// shapes (docs/open-webui-accounts.md). Only admins change groups; a user lists their own.
#include <boost/json.hpp>

#include "http/api/account_json.hpp"
#include "http/api/control_change.hpp"
#include "http/api/handlers.hpp"
#include "http/server/runtime.hpp"
#include "storage/record_store.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view group_not_found = "We could not find what you're looking for :/";

route_result group_answer(session_io& s, const account_reply& r) {
  if (r.status == account_status::not_found)
    return send_error(s, gateway_error::not_found, group_not_found);
  if (r.status != account_status::done || !r.group)
    return send_error(s, gateway_error::internal, r.error);
  return send_body(s, http::status::ok, json::serialize(group_json(*r.group)));
}

// A group as an admin's create or update form describes it; false and `error` when refused.
bool read_group(const account_form& form, group_account& g, bool& members_given,
                std::string& error) {
  if (auto name = form.text("name", error)) g.name = *name;
  if (auto d = form.text("description", error)) g.description = *d;
  if (form.has("permissions")) g.permissions_json = form.raw("permissions");
  if (form.has("data")) g.data_json = form.raw("data");
  if (form.has("meta")) g.meta_json = form.raw("meta");
  if (auto ids = form.ids("user_ids", error)) {
    g.member_ids = std::move(*ids);
    members_given = true;
  }
  if (error.empty() && g.name.empty()) error = "field 'name' is required";
  return error.empty();
}

}  // namespace

route_result groups_list(api_context& ctx, session_io& s, client_request&) {
  auto a = ctx.rt.accounts.load();
  json::array out;
  for (auto& [id, g] : a->groups) {
    bool member = std::find(g.member_ids.begin(), g.member_ids.end(), ctx.caller.id()) !=
                  g.member_ids.end();
    if (ctx.caller.level() == account_role::admin || member) out.push_back(group_json(g));
  }
  co_return co_await send_body(s, http::status::ok, json::serialize(out));
}

route_result group_get(api_context& ctx, session_io& s, client_request&) {
  auto a = ctx.rt.accounts.load();
  auto it = a->groups.find(std::string(ctx.id));
  if (it == a->groups.end())
    co_return co_await send_error(s, gateway_error::not_found, group_not_found);
  co_return co_await send_body(s, http::status::ok, json::serialize(group_json(it->second)));
}

route_result group_create(api_context& ctx, session_io& s, client_request& req) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  group_account g;
  bool members = false;
  if (!form || !read_group(*form, g, members, error))
    co_return co_await send_error(s, gateway_error::bad_request, error);
  g.id = random_uuid();
  g.user_id = ctx.caller.id();
  account_command cmd = save_group{std::move(g), members};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  co_return co_await group_answer(s, r);
}

route_result group_update(api_context& ctx, session_io& s, client_request& req) {
  auto a = ctx.rt.accounts.load();
  auto it = a->groups.find(std::string(ctx.id));
  if (it == a->groups.end())
    co_return co_await send_error(s, gateway_error::not_found, group_not_found);
  std::string error;
  auto form = account_form::read(req.body(), error);
  auto g = it->second;  // what the form leaves out stays as it is
  bool members = false;
  if (!form || !read_group(*form, g, members, error))
    co_return co_await send_error(s, gateway_error::bad_request, error);
  account_command cmd = save_group{std::move(g), members};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  co_return co_await group_answer(s, r);
}

route_result group_members(api_context& ctx, session_io& s, client_request& req, bool add) {
  std::string error;
  auto form = account_form::read(req.body(), error);
  auto ids = form ? form->ids("user_ids", error) : std::nullopt;
  if (!ids) {
    if (error.empty()) error = "field 'user_ids' is required";
    co_return co_await send_error(s, gateway_error::bad_request, error);
  }
  account_command cmd = change_members{std::string(ctx.id), *ids, add};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  co_return co_await group_answer(s, r);
}

route_result group_add_users(api_context& ctx, session_io& s, client_request& req) {
  return group_members(ctx, s, req, true);
}
route_result group_remove_users(api_context& ctx, session_io& s, client_request& req) {
  return group_members(ctx, s, req, false);
}

route_result group_delete(api_context& ctx, session_io& s, client_request&) {
  account_command cmd = delete_group{std::string(ctx.id)};
  auto r = co_await change_accounts(ctx.cp, std::move(cmd));
  if (r.status == account_status::not_found)
    co_return co_await send_error(s, gateway_error::not_found, group_not_found);
  if (r.status != account_status::done)
    co_return co_await send_error(s, gateway_error::internal, r.error);
  co_return co_await send_body(s, http::status::ok, "true");
}

}  // namespace sb
