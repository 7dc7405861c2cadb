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

void decorate_model(const connection_spec& spec, boost::json::object& model) {
  if (!spec.tags_json.empty()) {
    boost::system::error_code ec;
    auto tags = boost::json::parse(spec.tags_json, ec);
    if (!ec) model["tags"] = tags;
  }
  model["connection_type"] = spec.connection_type;
}

}  // namespace sb
