#pragma once
// The model lists as a caller may see them: whole for callers per-model access control does not
// limit (admins, single-user mode, BYPASS_MODEL_ACCESS_CONTROL), else only the models they may
// use (http/auth/model_access.hpp), joined from the catalog's rendered entries.
#include <map>
#include <optional>
#include <string>

#include "http/api/route_table.hpp"
#include "messages/model_list.hpp"

namespace sb {

/// `list` as `ctx`'s caller may see it.
std::string visible_list(const api_context& ctx, const model_list& list);

/// The whole list, or `{url_idx}`'s from `per_server` (`empty` when that connection has none).
const model_list& list_for(const model_list& all, const std::map<int, model_list>& per_server,
                           std::optional<int> url_idx, const model_list& empty);

}  // namespace sb
