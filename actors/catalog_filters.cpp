#include "actors/catalog_filters.hpp"

#include <algorithm>

#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {

std::shared_ptr<filter_stats> stats_of(filter_stats_registry* registry,
                                       filter_stats_registry& kept, const std::string& key) {
  if (!registry) return std::make_shared<filter_stats>();
  auto it = registry->find(key);
  auto s = it != registry->end() ? it->second : std::make_shared<filter_stats>();
  kept[key] = s;
  return s;
}

struct filter_found {
  pipeline_filter filter;
  std::vector<std::string> targets;  // empty with `everyone`
  bool everyone = false;
};

void collect(const upstream_models& list, filter_stats_registry* registry,
             filter_stats_registry& kept, std::vector<filter_found>& out) {
  if (!list.endpoint || list.key.kind != provider_kind::openai) return;
  auto spec = list.endpoint->settings();
  auto& conn = list.endpoint->id();
  if (spec->server_filters)
    out.push_back({{list.endpoint, "", 0, true, stats_of(registry, kept, conn + "/")}, {}, true});
  if (spec->api_key.empty()) return;  // Open WebUI skips a Pipelines server without a key
  for (auto& m : list.models) {
    if (m.pipeline != pipeline_role::filter || m.filter_targets.empty()) continue;
    filter_found f{{list.endpoint, m.upstream_id, m.filter_priority, false,
                    stats_of(registry, kept, conn + "/" + m.upstream_id)},
                   {}, false};
    // Open WebUI: ["*"] exactly means every model; otherwise the ids listed.
    f.everyone = m.filter_targets.size() == 1 && m.filter_targets[0] == "*";
    if (!f.everyone) f.targets = m.filter_targets;
    out.push_back(std::move(f));
  }
}

}  // namespace

filter_index build_filter_index(const std::vector<const upstream_models*>& lists,
                                filter_stats_registry* registry) {
  filter_stats_registry kept;
  std::vector<filter_found> found;
  for (auto* l : lists) collect(*l, registry, kept, found);
  if (registry) registry->swap(kept);
  std::stable_sort(found.begin(), found.end(), [](const filter_found& a, const filter_found& b) {
    return a.filter.priority < b.filter.priority;
  });
  filter_index index;
  for (std::uint32_t i = 0; i < found.size(); ++i) {
    auto& f = found[i];
    if (f.everyone) index.everyone.push_back(i);
    for (auto& model : f.targets) {
      auto& at = index.named[model];
      if (at.empty() || at.back() != i) at.push_back(i);
    }
    index.filters.push_back(std::move(f.filter));
  }
  return index;
}

}  // namespace sb
