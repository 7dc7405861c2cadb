#include "http/upstream/providers/model_entries.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace sb {

bool allowed_model(const connection_spec& spec, std::string_view id) {
  return spec.model_ids.empty() ||
         std::find(spec.model_ids.begin(), spec.model_ids.end(), id) != spec.model_ids.end();
}

std::string exposed_model_id(const connection_spec& spec, std::string_view id) {
  return spec.prefix_id.empty() ? std::string(id) : spec.prefix_id + "." + std::string(id);
}

const boost::json::array* model_array(const boost::json::value& v, const char* key,
                                      bool bare_array_too, std::string& error) {
  if (bare_array_too && v.is_array()) return &v.as_array();
  if (v.is_object())
    if (auto* d = v.as_object().if_contains(key); d && d->is_array()) return &d->as_array();
  error = std::string("model list has no \"") + key + "\" array";
  return nullptr;
}

// Open WebUI's merge_models_lists entry: the model, named, owned_by "openai", the raw model
// under "openai", and the connection's index.
model_entry openai_list_entry(const connection_spec& spec, boost::json::object model,
                              std::string upstream_id) {
  auto id = exposed_model_id(spec, upstream_id);
  model["id"] = id;
  decorate_model(spec, model);
  boost::json::object entry = model;
  if (!entry.contains("name")) entry["name"] = id;
  entry["owned_by"] = "openai";
  entry["openai"] = model;
  entry["urlIdx"] = spec.key.idx;
  return {id, std::move(upstream_id), boost::json::serialize(entry), true, {}, 0, {}};
}


std::string openai_error_message(const boost::json::object& o, boost::json::object& fields) {
  std::string message;
  if (auto* e = o.if_contains("error")) {
    if (e->is_object()) {
      for (auto& [k, field] : e->as_object()) {
        if (k != "message" && k != "type" && k != "code" && k != "param") continue;
        if (field.is_string() || field.is_number() || field.is_bool() || field.is_null())
          fields[k] = field;
      }
      if (auto* m = fields.if_contains("message"); m && m->is_string())
        message = std::string(m->as_string());
    } else if (e->is_string()) {
      message = std::string(e->as_string());
    }
  } else if (auto* d = o.if_contains("detail"); d && d->is_string()) {
    message = std::string(d->as_string());
  }
  return message;
}


void decorate_model(const connection_spec& spec, boost::json::object& model) {
  if (!spec.tags_json.empty()) {
    boost::system::error_code ec;
    auto tags = boost::json::parse(spec.tags_json, ec);
    if (!ec) model["tags"] = tags;
  }
  model["connection_type"] = spec.connection_type;
}

}  // namespace sb
