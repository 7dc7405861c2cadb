#include "http/api/visible_models.hpp"

#include <algorithm>
#include <unordered_map>

#include "http/auth/model_access.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace {

// A limited caller's list, as last joined on this thread: good while the list (its serial), the
// models and the accounts are the ones it was joined from. Bounded by bytes held.
struct joined_list {
  std::uint64_t models = 0;
  std::uint64_t accounts = 0;
  std::string body;
};
constexpr std::size_t joined_bytes_cap = 8 << 20;  // per I/O thread; cleared whole when over
thread_local std::unordered_map<std::string, joined_list> joined_lists;
thread_local std::size_t joined_bytes = 0;

}  // namespace

std::string visible_list(const api_context& ctx, const model_list& list) {
  auto& user = ctx.caller.user;
  if (!user || !model_access_applies(ctx.rt.cfg, *user)) return list.body;
  auto models = ctx.rt.models.load();
  auto accounts = ctx.rt.accounts.load();
  auto key = user->id;
  key.append(reinterpret_cast<const char*>(&list.serial), sizeof list.serial);
  auto& cached = joined_lists[key];
  if (cached.body.empty() || cached.models != models->generation ||
      cached.accounts != accounts->generation) {
    if (joined_bytes > joined_bytes_cap) {
      joined_lists.clear();
      joined_bytes = 0;
      return visible_list(ctx, list);
    }
    joined_bytes -= std::min(joined_bytes, cached.body.size());
    cached.body = list.joined([&](std::string_view id) {
      return may_use_model(ctx.rt.cfg, *models, *accounts, *user, id);
    });
    cached.models = models->generation;
    cached.accounts = accounts->generation;
    joined_bytes += cached.body.size();
  }
  return cached.body;
}

const model_list& list_for(const model_list& all, const std::map<int, model_list>& per_server,
                           std::optional<int> url_idx, const model_list& empty) {
  if (!url_idx) return all;
  auto it = per_server.find(*url_idx);
  return it == per_server.end() ? empty : it->second;
}

}  // namespace sb
