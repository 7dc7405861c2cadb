#include "actors/spent_tokens.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace sb {

spent_since::spent_since(usage_store* usage, const std::vector<limit_rule>& rules)
    : usage_(usage) {
  for (auto& r : rules)
    if (r.free) (r.scope == limit_scope::model ? free_models_ : free_connections_).insert(r.id);
}

std::int64_t spent_since::operator()(limit_scope scope, const std::string& id,
                                     std::int64_t since) {
  auto& sums = sums_for(since);
  auto index = scope == limit_scope::key ? 1 : scope == limit_scope::model ? 2 : 0;
  auto it = sums[index].find(id);
  return it == sums[index].end() ? 0 : it->second;
}

spent_since::totals& spent_since::sums_for(std::int64_t since) {
  auto [it, fresh] = cache_.try_emplace(since);
  if (!fresh || !usage_) return it->second;
  auto& sums = it->second;
  std::string error;
  auto now_hour = std::chrono::duration_cast<std::chrono::hours>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  usage_->scan(since / 3600, now_hour + 1, [&](const usage_row& row) {
    if (free_models_.count(row.key.model) || free_connections_.count(row.key.connection)) return;
    auto tokens = static_cast<std::int64_t>(row.counts.prompt_tokens + row.counts.completion_tokens);
    sums[0][row.key.user_id] += tokens;
    if (!row.key.api_key_id.empty()) sums[1][row.key.api_key_id] += tokens;
    sums[2][row.key.model] += tokens;
  }, error);
  if (!error.empty()) spdlog::error("limits_actor: spent tokens not read: {}", error);
  return sums;
}

}  // namespace sb
