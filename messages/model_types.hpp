#pragma once
// What upstream actors report to the catalog: a connection's model list, already renamed with its
// prefix_id and rendered as Open WebUI's /openai/models (or /api/tags) entries.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/connection_spec.hpp"

namespace sb {

class upstream_endpoint;  // http/upstream_endpoint.hpp: the data plane of one connection

/// What a Pipelines server's list item is (its `pipeline.type`): a model of its own (a pipe or
/// a manifold's sub-pipe), or a filter that sees requests and answers of other models.
enum class pipeline_role : std::uint8_t { none, pipe, filter };

/// One model as the gateway exposes it.
struct model_entry {
  std::string id;           // as clients name it (with "{prefix_id}." when configured)
  std::string upstream_id;  // as the upstream names it
  std::string entry_json;   // the rendered list entry, Open WebUI's shape, incl. urlIdx / urls
  bool listed = true;       // shown in model lists; unlisted ones (api.openai.com's embedding,
                            // tts, ... models, hidden as Open WebUI hides them) are still routed
  pipeline_role pipeline = pipeline_role::none;
  // A filter's `pipeline.priority` (lower runs first) and `pipeline.pipelines`: the model ids it
  // runs for, or ["*"] for every one.
  std::int64_t filter_priority = 0;
  std::vector<std::string> filter_targets;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_entry& x) {
  return f(caf::meta::type_name("model_entry"), x.id, x.upstream_id, x.entry_json, x.listed,
           x.pipeline, x.filter_priority, x.filter_targets);
}

/// A model list answer as the gateway reads it: its models, and whether it came from a Pipelines
/// server (the answer carries a top-level "pipelines" key, as Open WebUI tests it).
struct parsed_model_list {
  std::vector<model_entry> models;
  bool pipelines = false;
};

/// The raw outcome of one GET {url}/models or {url}/api/tags, produced on an I/O thread.
struct fetch_result {
  std::uint64_t generation = 0;  // which fetch this answers; stale answers are dropped
  int status = 0;                // HTTP status, 0 when no response arrived
  std::string body;
  std::string error;  // transport error text, empty on a response
  bool connect_failed = false;  // no connection could be opened (not a slow or broken answer)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_result& x) {
  return f(caf::meta::type_name("fetch_result"), x.generation, x.status, x.body, x.error,
           x.connect_failed);
}

/// A connection's current list. `ok == false` keeps the models (served stale) but marks the
/// connection unhealthy. Carries the connection's endpoint so routes point straight at its pool;
/// that makes it a node-local message (peers get model_entry lists, not pools).
struct upstream_models {
  upstream_key key;
  bool ok = false;
  std::string error;
  std::vector<model_entry> models;
  bool pipelines = false;  // the list came from a Pipelines server
  std::shared_ptr<upstream_endpoint> endpoint;
  std::uint32_t weight = 1;   // the connection's balancing settings, as configured now
  std::int32_t priority = 0;
  std::uint64_t fetch = 0;    // the number of the list fetch these models come from
};

/// The endpoint that serves a connection key from now on (node-local, like upstream_models).
struct live_connection {
  upstream_key key;
  std::shared_ptr<upstream_endpoint> endpoint;
};

/// A connection's new spec when only how its list is presented changed (node-local).
struct spec_update {
  connection_spec spec;
};

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::upstream_models)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::live_connection)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::spec_update)
