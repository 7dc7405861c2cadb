#pragma once
// The connection settings every family applies to its model list, as Open WebUI does: the
// model_ids allow-list, "{prefix_id}." renaming, configured tags and connection_type.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "config/connection_spec.hpp"

namespace sb {

/// Whether the allow-list (empty: everything) lets `upstream_id` through.
bool allowed_model(const connection_spec& spec, std::string_view upstream_id);

/// The id clients see: "{prefix_id}.{upstream_id}", or the upstream id without a prefix.
std::string exposed_model_id(const connection_spec& spec, std::string_view upstream_id);

/// Sets the entry's "tags" (when configured) and "connection_type".
void decorate_model(const connection_spec& spec, boost::json::object& model);

}  // namespace sb
