#include "storage/model_store.hpp"

#include <boost/json.hpp>

namespace sb {

namespace json = boost::json;

namespace {

std::optional<json::value> parsed(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

std::string text_of(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool read_ids(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_array()) return false;
  for (auto& id : v->as_array()) {
    if (!id.is_string()) return false;
    out.emplace_back(id.as_string());
  }
  return true;
}

bool read_list(const json::object& o, std::string_view key, access_list& out) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_object()) return false;
  return read_ids(v->as_object(), "user_ids", out.user_ids) &&
         read_ids(v->as_object(), "group_ids", out.group_ids);
}

std::string json_text(const json::object& o, std::string_view key, const char* fallback) {
  auto* v = o.if_contains(key);
  return v ? json::serialize(*v) : std::string(fallback);
}

}  // namespace

bool read_access_control(std::string_view text, model_access_control& out) {
  auto v = parsed(text);
  if (!v) return false;
  out = {};
  if (v->is_null()) return true;
  if (!v->is_object()) return false;
  out.open = false;
  return read_list(v->as_object(), "read", out.read) &&
         read_list(v->as_object(), "write", out.write);
}

std::string encode_model(const custom_model& m) {
  json::object o{{"user_id", m.user_id},
                 {"name", m.name},
                 {"is_active", m.is_active},
                 {"created_at", m.created_at},
                 {"updated_at", m.updated_at}};
  o["base_model_id"] = m.base_model_id.empty() ? json::value(nullptr) : json::value(m.base_model_id);
  o["meta"] = parsed(m.meta_json).value_or(json::object{});
  o["params"] = parsed(m.params_json).value_or(json::object{});
  o["access_control"] = parsed(m.access_json).value_or(nullptr);
  return json::serialize(o);
}

bool decode_model(const record& r, custom_model& m) {
  auto v = parsed(r.data);
  if (!v || !v->is_object()) return false;
  auto& o = v->as_object();
  m.id = r.id;
  m.user_id = text_of(o, "user_id");
  m.base_model_id = text_of(o, "base_model_id");
  m.name = text_of(o, "name");
  m.meta_json = json_text(o, "meta", "{}");
  m.params_json = json_text(o, "params", "{}");
  m.access_json = json_text(o, "access_control", "null");
  auto* active = o.if_contains("is_active");
  m.is_active = !active || !active->is_bool() || active->as_bool();
  auto number = [&](std::string_view key) -> std::int64_t {
    auto* n = o.if_contains(key);
    return n && n->is_int64() ? n->get_int64() : 0;  // written by us, as int64
  };
  m.created_at = number("created_at");
  m.updated_at = number("updated_at");
  return read_access_control(m.access_json, m.access);
}

model_store::model_store(std::shared_ptr<record_store> records) : records_(std::move(records)) {}

bool model_store::load(models_snapshot& out, std::string& error) {
  auto records = records_->load(kind, error);
  if (!error.empty()) return false;
  for (auto& r : records) {
    if (r.deleted) continue;
    custom_model m;
    if (!decode_model(r, m)) {
      error = "stored model '" + r.id + "' is not in the expected shape";
      return false;
    }
    auto shared = std::make_shared<const custom_model>(std::move(m));
    out.by_id.emplace(shared->id, std::move(shared));
  }
  return true;
}

bool model_store::put(const custom_model& m, std::string& error) {
  return records_->write({{std::string(kind), m.id, records_->next_version(), false, encode_model(m)}},
                         error);
}

bool model_store::remove(const std::string& id, std::string& error) {
  return records_->write({{std::string(kind), id, records_->next_version(), true, {}}}, error);
}

}  // namespace sb
