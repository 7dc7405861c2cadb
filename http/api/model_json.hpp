#pragma once
// Custom models in Open WebUI's shapes (routers/models.py): ModelModel / ModelResponse, with the
// owner as ModelUserResponse adds it, and the ModelForm a client sends to create or update one.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "messages/account_types.hpp"
#include "messages/custom_model_types.hpp"

namespace sb {

/// ModelModel: id, user_id, base_model_id, name, params, meta, access_control, is_active and
/// the times. With `accounts`, also `user` (the owner, or null): ModelUserResponse.
boost::json::object model_json(const custom_model& m, const accounts_snapshot* accounts = nullptr);

/// A ModelForm read from `body`: id and name (strings), meta and params (objects), base_model_id
/// (string or null), access_control (null or {read, write} lists), is_active (default true).
/// Nothing and `error` when it is not one.
std::optional<custom_model> read_model_form(std::string_view body, std::string& error);

}  // namespace sb
