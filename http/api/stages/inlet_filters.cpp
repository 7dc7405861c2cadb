#include "http/api/stages/inlet_filters.hpp"

#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

std::vector<const pipeline_filter*> filter_chain_of(const resolved_model& m, bool outlet,
                                                    pipeline_filter& own) {
  auto named = m.preset.empty() ? std::string_view(m.view.model) : std::string_view(m.preset);
  auto chain = m.catalog->filters.chain_for(named, m.view.model);
  if (!m.target || !m.target->pipe || m.target->endpoint->settings()->api_key.empty() ||
      m.target->endpoint->settings()->server_filters)
    return chain;
  // Open WebUI runs a pipe's own inlet last and its outlet first.
  own.endpoint = m.target->endpoint;
  own.id = m.target->upstream_model;
  own.stats = std::make_shared<filter_stats>();
  chain.insert(outlet ? chain.begin() : chain.end(), &own);
  return chain;
}

}  // namespace sb
