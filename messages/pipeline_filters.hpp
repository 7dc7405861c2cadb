#pragma once
// The Pipelines filters of the catalog (built by catalog_actor from the lists of Pipelines
// servers): which filters run around a request for a given model, in what order, and where.
// A filter is a model item of a Pipelines server with `pipeline.type == "filter"`; it names the
// models it runs for (`pipeline.pipelines`, or ["*"] for all) and its `priority` (lower first).
// The project description's pipeline servers (TOOL_SERVER_CONNECTIONS, `server_filters`) run
// their server-level /inlet and /outlet for every request. Read by http/api/pipeline_filters.hpp.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/server/metrics.hpp"
#include "messages/string_hash.hpp"

namespace sb {

class upstream_endpoint;

/// What /metrics shows of one filter; kept across catalog rebuilds (by connection and filter).
struct filter_stats {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> failures{0};   // no usable answer (unreachable, timed out, junk)
  std::atomic<std::uint64_t> fail_opens{0};  // ... after which the request went on unfiltered
  std::atomic<std::uint64_t> refusals{0};   // it stopped the request (an error with `detail`)
  latency_histogram latency;
  // A seed-form server that does not speak the API (an OpenAPI tool server, say: 401, 403, 404,
  // 405 or 422 to /inlet or /outlet) is passed over for a while, per phase (steady-clock ms), and
  // said once in the log.
  std::array<std::atomic<std::int64_t>, 2> absent_until_ms{};
  std::atomic<bool> absence_said{false};
};

/// One filter as the gateway calls it.
struct pipeline_filter {
  std::shared_ptr<upstream_endpoint> endpoint;  // the Pipelines server, with its own key only
  std::string id;        // the filter's id on that server (its upstream id, no prefix_id)
  std::int64_t priority = 0;
  bool server_level = false;  // POST {url}/inlet and /outlet rather than {url}/{id}/filter/...
  std::shared_ptr<filter_stats> stats;
};

/// Every filter of the catalog, and which run for which model.
struct filter_index {
  std::vector<pipeline_filter> filters;  // by priority, then connection order
  // Model id -> positions in `filters` of those naming it (ascending); every model's.
  std::unordered_map<std::string, std::vector<std::uint32_t>, string_hash, std::equal_to<>> named;
  std::vector<std::uint32_t> everyone;

  bool empty() const { return filters.empty(); }

  /// Whether any filter runs for `model` (or `base`): chain_for would not be empty.
  bool any_for(std::string_view model, std::string_view base) const {
    return !everyone.empty() || named.find(model) != named.end() ||
           (!base.empty() && named.find(base) != named.end());
  }

  /// The filters that run for a request naming `model`, or `base` (the model a preset resolves
  /// to; may be empty or the same), in order, each once.
  std::vector<const pipeline_filter*> chain_for(std::string_view model,
                                                std::string_view base) const {
    std::vector<std::uint32_t> at = everyone;
    auto add = [&](std::string_view id) {
      if (id.empty()) return;
      if (auto it = named.find(id); it != named.end())
        at.insert(at.end(), it->second.begin(), it->second.end());
    };
    add(model);
    if (base != model) add(base);
    std::sort(at.begin(), at.end());
    at.erase(std::unique(at.begin(), at.end()), at.end());
    std::vector<const pipeline_filter*> out;
    out.reserve(at.size());
    for (auto i : at) out.push_back(&filters[i]);
    return out;
  }
};

}  // namespace sb
