#pragma once
// What /metrics shows of usage, per model and connection, in OpenTelemetry's GenAI names:
// gen_ai_client_token_usage (tokens per request, input and output), gen_ai_server_time_to_first_token
// and gen_ai_client_operation_duration (seconds). The usage actor is their one writer, from the
// request records it receives; /metrics reads them (relaxed atomics). A new model or connection
// gets its meters in a new table the actor publishes.
#include <memory>
#include <string>
#include <vector>

#include "http/server/metrics.hpp"

namespace sb {

struct model_meters {
  std::string model;
  std::string connection;
  token_histogram input_tokens;
  token_histogram output_tokens;
  latency_histogram time_to_first_token;
  latency_histogram duration;
};

struct usage_meter_table {
  std::vector<std::shared_ptr<model_meters>> meters;
};

}  // namespace sb
