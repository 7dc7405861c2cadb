#pragma once
// GET of a connection's model list on an I/O thread, reported through a callback: the data-plane
// half of upstream_actor's model_fetcher.
#include <functional>
#include <memory>
#include <string>

#include "messages/model_types.hpp"

namespace sb {

struct runtime;

/// Runs GET {base}{path} on I/O thread 0 with the model-list timeout; `done` runs on that thread.
void fetch_model_list(runtime& rt, std::shared_ptr<upstream_endpoint> ep, std::string path,
                      std::uint64_t generation, std::function<void(fetch_result)> done);

}  // namespace sb
