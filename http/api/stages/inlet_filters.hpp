#pragma once
// Pipeline stage "inlet filters" (stage bit inlet, the unified chat routes): after the model is
// resolved and the caller may use it, before the provider, the Pipelines filters that name the
// model (or every model) run on the request in priority order, then the model's own inlet when
// it is a Pipelines server's pipe (Open WebUI's process_pipeline_inlet_filter). A request for a
// model no filter names, with no filter in the catalog at all, pays one branch.
#include <string_view>
#include <vector>

#include "http/api/stages/resolve_model.hpp"
#include "messages/pipeline_filters.hpp"

namespace sb {

/// Whether any filter runs around a request for `m`.
inline bool filters_apply(const resolved_model& m) {
  if (m.target && m.target->own_filters) return true;
  auto& f = m.catalog->filters;
  if (f.empty()) return false;  // the common case
  return f.any_for(m.named_id(), m.view.model);
}

/// The filters that run for `m` on the inlet (`outlet` false) or outlet, in order: the catalog's
/// that name the model the client named (a preset's id, or its base model's) or every model;
/// on the inlet then (on the outlet first) the pipe's own, made in `own` (left empty when the
/// model is no pipe or its connection has no key).
std::vector<const pipeline_filter*> filter_chain_of(const resolved_model& m, bool outlet,
                                                    pipeline_filter& own);

}  // namespace sb
