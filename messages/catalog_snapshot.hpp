#pragma once
// The merged model catalog as the HTTP sessions read it (published by catalog_actor).
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/connection_spec.hpp"
#include "config/lb_policy.hpp"
#include "messages/model_list.hpp"
#include "messages/pipeline_filters.hpp"
#include "messages/string_hash.hpp"

namespace sb {

class upstream_endpoint;

/// One connection that serves a model, the model's name there (without the prefix_id), and the
/// connection's balancing settings as configured when the catalog was built.
struct route_target {
  std::shared_ptr<upstream_endpoint> endpoint;
  std::string upstream_model;
  std::uint32_t weight = 1;  // share under the weighted policy
  std::int32_t priority = 0;  // tier: lower serves first
  // A Pipelines server's own model: its requests carry who they are for (`user`); and, when its
  // connection has a key (and is not the seed form, whose filters are server-wide), its own
  // inlet and outlet run after (before) the filters.
  bool pipe = false;
  bool own_filters = false;
};

/// A round-robin position of one I/O thread, on a cache line of its own.
struct alignas(64) rotation_slot {
  std::atomic<std::uint32_t> next{0};
};

/// Every connection serving one model id, and how requests are spread over them
/// (http/balancing/pick.hpp).
struct model_route {
  std::vector<route_target> targets;
  lb_policy policy = lb_policy::round_robin;
  // A target needs to know who a request is for (upstream_endpoint::needs_caller): decided here
  // once, so that other requests never build a caller_identity.
  bool needs_caller = false;
  // Round-robin positions, one per I/O thread (threads past 8 share, atomically).
  mutable std::array<rotation_slot, 8> rotation;
};

/// Which policy each model's route gets: per model id, else the default.
struct balancing_choice {
  lb_policy fallback = lb_policy::round_robin;
  std::map<std::string, lb_policy, std::less<>> by_model;
  lb_policy for_model(std::string_view id) const {
    auto it = by_model.find(id);
    return it == by_model.end() ? fallback : it->second;
  }
};

using route_map = std::unordered_map<std::string, model_route, string_hash, std::equal_to<>>;

struct catalog_snapshot {
  std::uint64_t generation = 0;
  route_map openai;  // OpenAI-compatible connections, by exposed model id
  route_map ollama;  // Ollama connections, by exposed model name
  model_list openai_models = empty_openai_list();        // GET /openai/models
  std::map<int, model_list> openai_models_by_idx;         // GET /openai/models/{url_idx}
  model_list ollama_tags = empty_tags_list();             // GET /ollama/api/tags
  std::map<int, model_list> ollama_tags_by_idx;           // GET /ollama/api/tags/{url_idx}
  model_list ollama_v1_models = empty_openai_list();      // GET /ollama/v1/models
  std::map<int, model_list> ollama_v1_models_by_idx;      // GET /ollama/v1/models/{url_idx}

  static model_list empty_openai_list() {
    auto l = model_list::openai_shaped();
    l.finish();
    return l;
  }
  static model_list empty_tags_list() {
    auto l = model_list::ollama_tags();
    l.finish();
    return l;
  }
  std::vector<std::shared_ptr<upstream_endpoint>> upstreams;          // every running connection
  filter_index filters;  // Pipelines filters: which run around which model's requests
  // OpenAI connections whose list said it comes from a Pipelines server, in urlIdx order.
  std::vector<std::shared_ptr<upstream_endpoint>> pipeline_servers;
};

}  // namespace sb
