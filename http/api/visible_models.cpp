#include "http/api/visible_models.hpp"

#include "http/auth/model_access.hpp"
#include "http/server/runtime.hpp"

namespace sb {

std::string visible_list(const api_context& ctx, const model_list& list) {
  auto& user = ctx.caller.user;
  if (!user || !model_access_applies(ctx.rt.cfg, *user)) return list.body;
  auto models = ctx.rt.models.load();
  auto accounts = ctx.rt.accounts.load();
  return list.joined([&](std::string_view id) {
    return may_use_model(ctx.rt.cfg, *models, *accounts, *user, id);
  });
}

const model_list& list_for(const model_list& all, const std::map<int, model_list>& per_server,
                           std::optional<int> url_idx, const model_list& empty) {
  if (!url_idx) return all;
  auto it = per_server.find(*url_idx);
  return it == per_server.end() ? empty : it->second;
}

}  // namespace sb
