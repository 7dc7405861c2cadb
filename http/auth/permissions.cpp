#include "http/auth/permissions.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "http/server/json_numbers.hpp"

namespace sb {

namespace json = boost::json;

namespace {

json::object object_of(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object{};
}

// Lays `more` over `into`, the more permissive value winning at each leaf.
void merge_permissive(json::object& into, const json::object& more) {
  for (auto& [key, value] : more) {
    auto* have = into.if_contains(key);
    if (!have) {
      into[key] = value;
    } else if (have->is_object() && value.is_object()) {
      merge_permissive(have->as_object(), value.as_object());
    } else if (have->is_bool() && value.is_bool()) {
      *have = have->as_bool() || value.as_bool();
    } else if (have->is_number() && value.is_number()) {
      *have = std::max(json_double(*have).value_or(0), json_double(value).value_or(0));
    }
  }
}

bool leaves_are_plain(const json::object& section) {
  return std::all_of(section.begin(), section.end(),
                     [](auto& kv) { return kv.value().is_bool() || kv.value().is_number(); });
}

}  // namespace

json::object permissions_of(const accounts_snapshot& accounts, std::string_view user_id) {
  auto out = object_of(accounts.default_permissions);
  for (auto& [id, g] : accounts.groups)
    if (std::find(g.member_ids.begin(), g.member_ids.end(), user_id) != g.member_ids.end())
      merge_permissive(out, object_of(g.permissions_json));
  return out;
}

bool permitted(const accounts_snapshot& accounts, const user_account& user,
               std::string_view section, std::string_view key) {
  if (user.role == account_role::admin) return true;
  auto all = permissions_of(accounts, user.id);
  auto* s = all.if_contains(section);
  auto* v = s && s->is_object() ? s->as_object().if_contains(key) : nullptr;
  return v && v->is_bool() && v->as_bool();
}

std::optional<std::string> updated_permissions(std::string_view body, std::string_view current,
                                               std::string& error) {
  boost::system::error_code ec;
  auto form = json::parse(body, ec);
  if (ec || !form.is_object()) {
    error = "the body must be a JSON object of permission sections";
    return std::nullopt;
  }
  null_non_finite(form);
  auto out = object_of(current);
  for (auto& [name, section] : form.as_object()) {
    if (!section.is_object() || !leaves_are_plain(section.as_object())) {
      error = "permission section '" + std::string(name) + "' must be an object of booleans";
      return std::nullopt;
    }
    auto& into = out[name];
    if (!into.is_object()) into = json::object{};
    for (auto& [key, value] : section.as_object()) into.as_object()[key] = value;
  }
  return json::serialize(out);
}

}  // namespace sb
