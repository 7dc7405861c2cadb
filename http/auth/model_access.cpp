#include "http/auth/model_access.hpp"

#include <algorithm>

namespace sb {

namespace {

bool names(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

bool granted(const custom_model& m, const user_account& user, const accounts_snapshot& accounts,
             model_right right) {
  if (m.user_id == user.id) return true;
  // null: every user reads, nobody but the owner writes.
  if (m.access.open) return right == model_right::read;
  auto& list = right == model_right::read ? m.access.read : m.access.write;
  if (names(list.user_ids, user.id)) return true;
  if (list.group_ids.empty()) return false;
  auto* groups = accounts.groups_of(user.id);
  if (!groups) return false;
  return std::any_of(groups->begin(), groups->end(),
                     [&](const std::string& g) { return names(list.group_ids, g); });
}

bool model_access_applies(const settings& cfg, const user_account& user) {
  if (cfg.bypass_model_access) return false;
  return user.role != account_role::admin || !cfg.bypass_admin_access;
}

bool may_use_model(const settings& cfg, const models_snapshot& models,
                   const accounts_snapshot& accounts, const user_account& user,
                   std::string_view id) {
  if (!model_access_applies(cfg, user)) return true;
  auto* m = models.find(id);
  return m && granted(*m, user, accounts, model_right::read);
}

}  // namespace sb
