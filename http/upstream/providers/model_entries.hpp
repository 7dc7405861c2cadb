#pragma once
// The connection settings every family applies to its model list, as Open WebUI does: the
// model_ids allow-list, "{prefix_id}." renaming, configured tags and connection_type.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "config/connection_spec.hpp"
#include "messages/model_types.hpp"

namespace sb {

/// Whether the allow-list (empty: everything) lets `upstream_id` through.
bool allowed_model(const connection_spec& spec, std::string_view upstream_id);

/// The id clients see: "{prefix_id}.{upstream_id}", or the upstream id without a prefix.
std::string exposed_model_id(const connection_spec& spec, std::string_view upstream_id);

/// The array under `key` of a list answer's top-level object (or the answer itself when it is an
/// array and `bare_array_too`); null, and `error` set, when there is none.
const boost::json::array* model_array(const boost::json::value& list, const char* key,
                                      bool bare_array_too, std::string& error);

/// Open WebUI's OpenAI list entry (merge_models_lists): the model, named, owned_by "openai", the
/// raw model under "openai", and the connection's index (urlIdx).
model_entry openai_list_entry(const connection_spec& spec, boost::json::object model,
                              std::string upstream_id);

/// The message of an OpenAI-shaped error body ({"error": {...}} or {"error": "..."} or
/// {"detail": "..."}), and the error's scalar fields worth passing on.
std::string openai_error_message(const boost::json::object& body, boost::json::object& fields);

/// Sets the entry's "tags" (when configured) and "connection_type".
void decorate_model(const connection_spec& spec, boost::json::object& model);

}  // namespace sb
