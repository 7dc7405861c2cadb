#include "http/api/account_json.hpp"

#include <boost/json.hpp>
#include <cctype>

namespace sb {

namespace json = boost::json;

namespace {

json::value parsed(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

}  // namespace

json::object user_json(const user_account& u, const accounts_snapshot& accounts) {
  json::array groups;
  for (auto& [id, g] : accounts.groups)
    if (std::find(g.member_ids.begin(), g.member_ids.end(), u.id) != g.member_ids.end())
      groups.emplace_back(id);
  return {{"id", u.id},
          {"name", u.name},
          {"email", u.email},
          {"role", to_string(u.role)},
          {"profile_image_url", u.profile_image_url},
          {"last_active_at", u.last_active_at},
          {"updated_at", u.updated_at},
          {"created_at", u.created_at},
          {"group_ids", std::move(groups)}};
}

json::object group_json(const group_account& g) {
  json::array members;
  for (auto& m : g.member_ids) members.emplace_back(m);
  auto count = members.size();
  return {{"id", g.id},
          {"user_id", g.user_id},
          {"name", g.name},
          {"description", g.description},
          {"permissions", parsed(g.permissions_json)},
          {"data", parsed(g.data_json)},
          {"meta", parsed(g.meta_json)},
          {"user_ids", std::move(members)},
          {"member_count", count},
          {"created_at", g.created_at},
          {"updated_at", g.updated_at}};
}

std::optional<account_form> account_form::read(std::string_view body, std::string& error) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    error = "request body must be a JSON object";
    return std::nullopt;
  }
  return account_form{std::move(v.as_object())};
}

std::optional<std::string> account_form::text(std::string_view key, std::string& bad) const {
  auto* v = fields.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    bad = "field '" + std::string(key) + "' must be a string";
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<std::vector<std::string>> account_form::ids(std::string_view key,
                                                          std::string& bad) const {
  auto* v = fields.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  std::vector<std::string> out;
  if (v->is_array())
    for (auto& x : v->as_array())
      if (x.is_string()) out.emplace_back(x.as_string());
  if (!v->is_array() || out.size() != v->as_array().size()) {
    bad = "field '" + std::string(key) + "' must be a list of ids";
    return std::nullopt;
  }
  return out;
}

std::string account_form::raw(std::string_view key) const {
  auto* v = fields.if_contains(key);
  return v ? json::serialize(*v) : std::string("null");
}

bool account_form::has(std::string_view key) const { return fields.contains(key); }

std::string normalized_email(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front())))
    email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back())))
    email.remove_suffix(1);
  std::string e;
  for (char c : email) e += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = e.find('@');
  if (at == 0 || at == std::string::npos || e.find('@', at + 1) != std::string::npos ||
      e.size() > 320 || e.find_first_of(" \t\r\n\"<>") != std::string::npos)
    return {};
  if (e.ends_with("@localhost")) return e;
  auto dot = e.find('.', at + 2);
  return dot == std::string::npos || dot + 1 >= e.size() ? std::string() : e;
}

}  // namespace sb
