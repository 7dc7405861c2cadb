#include "http/api/model_json.hpp"

#include <boost/json.hpp>

#include "http/server/json_numbers.hpp"
#include "storage/model_store.hpp"

namespace sb {

namespace json = boost::json;

namespace {

json::value parsed_or(const std::string& text, json::value fallback) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? fallback : v;
}

// `key` of `form` as a JSON object's text; false when it is there but not an object.
bool object_text(const json::object& form, std::string_view key, std::string& out,
                 std::string& error) {
  auto* v = form.if_contains(key);
  if (!v || !v->is_object()) {
    error = "field '" + std::string(key) + "' must be an object";
    return false;
  }
  out = json::serialize(*v);
  return true;
}

bool string_field(const json::object& form, std::string_view key, std::string& out,
                  std::string& error) {
  auto* v = form.if_contains(key);
  if (!v || !v->is_string()) {
    error = "field '" + std::string(key) + "' must be a string";
    return false;
  }
  out = v->as_string();
  return true;
}

bool read_access(const json::object& form, custom_model& m, std::string& error) {
  auto* v = form.if_contains("access_control");
  m.access_json = v ? json::serialize(*v) : "null";
  if (read_access_control(m.access_json, m.access)) return true;
  error = "field 'access_control' must be null or {\"read\": {\"user_ids\": [...], "
          "\"group_ids\": [...]}, \"write\": {...}}";
  return false;
}

}  // namespace

json::object model_json(const custom_model& m, const accounts_snapshot* accounts) {
  json::object o{{"id", m.id},
                 {"user_id", m.user_id},
                 {"name", m.name},
                 {"is_active", m.is_active},
                 {"updated_at", m.updated_at},
                 {"created_at", m.created_at}};
  o["base_model_id"] = m.base_model_id.empty() ? json::value(nullptr) : json::value(m.base_model_id);
  o["params"] = parsed_or(m.params_json, json::object{});
  o["meta"] = parsed_or(m.meta_json, json::object{});
  o["access_control"] = parsed_or(m.access_json, nullptr);
  if (!accounts) return o;
  auto* owner = accounts->user(m.user_id);
  if (!owner) {
    o["user"] = nullptr;
    return o;
  }
  o["user"] = json::object{{"id", owner->id},
                           {"name", owner->name},
                           {"email", owner->email},
                           {"role", to_string(owner->role)},
                           {"profile_image_url", owner->profile_image_url}};
  return o;
}

std::optional<custom_model> read_model_form(std::string_view body, std::string& error) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    error = "the body must be a JSON object (a model form)";
    return std::nullopt;
  }
  null_non_finite(v);
  auto& form = v.as_object();
  custom_model m;
  if (!string_field(form, "id", m.id, error) || !string_field(form, "name", m.name, error) ||
      !object_text(form, "meta", m.meta_json, error) ||
      !object_text(form, "params", m.params_json, error) || !read_access(form, m, error))
    return std::nullopt;
  if (m.id.empty()) {
    error = "field 'id' must not be empty";
    return std::nullopt;
  }
  if (auto* base = form.if_contains("base_model_id"); base && !base->is_null()) {
    if (!base->is_string()) {
      error = "field 'base_model_id' must be a string or null";
      return std::nullopt;
    }
    m.base_model_id = base->as_string();
  }
  if (auto* active = form.if_contains("is_active"); active && !active->is_null()) {
    if (!active->is_bool()) {
      error = "field 'is_active' must be true or false";
      return std::nullopt;
    }
    m.is_active = active->as_bool();
  }
  return m;
}

}  // namespace sb
