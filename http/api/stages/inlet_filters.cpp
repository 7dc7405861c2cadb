#include "http/api/stages/inlet_filters.hpp"

#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

std::vector<const pipeline_filter*> filter_chain_of(const resolved_model& m, bool outlet,
                                                    pipeline_filter& own) {
  auto chain = m.catalog->filters.chain_for(m.named_id(), m.view.model);
  if (!m.target || !m.target->own_filters) return chain;
  // Open WebUI runs a pipe's own inlet last and its outlet first.
  own.endpoint = m.target->endpoint;
  own.id = m.target->upstream_model;
  own.stats = std::make_shared<filter_stats>();
  chain.insert(outlet ? chain.begin() : chain.end(), &own);
  return chain;
}

}  // namespace sb
