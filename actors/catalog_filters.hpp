#pragma once
// The Pipelines part of the catalog build: the filters of every Pipelines server's list, sorted
// as Open WebUI sorts them (priority, then connection order), indexed by the model ids they
// name; and the seed-form servers' server-level /inlet and /outlet, which run for every model.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/model_types.hpp"
#include "messages/pipeline_filters.hpp"

namespace sb {

/// Each filter's counters by "{connection id}/{filter id}", kept across rebuilds.
using filter_stats_registry = std::map<std::string, std::shared_ptr<filter_stats>>;

/// The filter index of `lists` (in urlIdx order). Filters of a connection without a key are left
/// out, as Open WebUI skips them. `registry` (when given) keeps each filter's stats across
/// rebuilds and forgets those of filters gone.
filter_index build_filter_index(const std::vector<const upstream_models*>& lists,
                                filter_stats_registry* registry);

}  // namespace sb
