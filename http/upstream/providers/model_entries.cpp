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

void decorate_model(const connection_spec& spec, boost::json::object& model) {
  if (!spec.tags_json.empty()) {
    boost::system::error_code ec;
    auto tags = boost::json::parse(spec.tags_json, ec);
    if (!ec) model["tags"] = tags;
  }
  model["connection_type"] = spec.connection_type;
}

}  // namespace sb
