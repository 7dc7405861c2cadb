#pragma once
// Who may use and who may change a model, as Open WebUI decides it (utils/access_control.py,
// utils/models.py). A model a `user` may use is one with a stored entry (messages/
// custom_model_types.hpp) that they own, that is public (access_control null), or whose `read`
// grant names them or one of their groups; a base model without an entry is for admins only.
// Admins may use every model unless BYPASS_ADMIN_ACCESS_CONTROL=False, and
// BYPASS_MODEL_ACCESS_CONTROL=True lets everyone use every model. Changing a model needs its
// owner, its `write` grant, or an admin.
//
// Read per request by the model stage and the lists: a role test, then one lookup of the model
// and a scan of its (short) grant lists.
#include <string_view>

#include "config/settings.hpp"
#include "messages/account_types.hpp"
#include "messages/custom_model_types.hpp"

namespace sb {

enum class model_right : std::uint8_t { read, write };

/// Whether the grants of `m` give `user` the right (admins aside).
bool granted(const custom_model& m, const user_account& user, const accounts_snapshot& accounts,
             model_right right);

/// Whether per-model access control applies to `user` at all (not bypassed).
bool model_access_applies(const settings& cfg, const user_account& user);

/// Whether `user` may use (list, call) the model a client names `id`.
bool may_use_model(const settings& cfg, const models_snapshot& models,
                   const accounts_snapshot& accounts, const user_account& user,
                   std::string_view id);

}  // namespace sb
