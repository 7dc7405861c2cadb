#pragma once
// The one error type of the data plane. Each error maps, in one switch with no default, to an HTTP
// status, a type string and a log level; every error body carries both shapes clients read:
// Open WebUI's {"detail": ...} and the OpenAI SDKs' {"error": {"message", "type", "code"}}.
#include <spdlog/common.h>

#include <boost/beast/http/status.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

enum class gateway_error {
  bad_request,      // malformed JSON, missing or mistyped field
  unauthorized,     // no or bad credentials
  forbidden,        // authenticated, not allowed
  not_found,        // no such route
  model_not_found,  // no connection serves the model
  method_not_allowed,
  payload_too_large,
  headers_too_large,
  unsupported_media_type,  // a state-changing route sent something other than JSON
  expectation_failed,      // an Expect other than 100-continue (417)
  precondition_failed,     // If-Match names a version that is no longer current (412)
  overloaded,              // over the memory budget: retry shortly (503 with Retry-After)
  upstreams_down,          // every connection serving the model is unreachable (503, Retry-After)
  upstreams_throttled,     // every connection serving the model said 429 and its time runs (429)
  upstream_unreachable,   // connect failed / refused / reset before a response
  upstream_timeout,       // no response (or no next chunk) in time
  upstream_bad_response,  // the upstream answered something that is not HTTP / not what was asked
  internal,
};

/// Which error body a client reads. OpenAI SDKs and Open WebUI read {"detail", "error": {...}};
/// Ollama's clients read `error` as a string (an object prints as "[object Object]"), Open WebUI's
/// front end reads `detail`.
enum class error_dialect : std::uint8_t { openai, ollama };

struct error_traits {
  boost::beast::http::status status;
  std::string_view type;
  spdlog::level::level_enum level;
};

error_traits traits_of(gateway_error e);

/// openai: {"detail": message, "error": {"message": message, "type": ..., "code": code}}, `code`
/// being the HTTP status unless given; ollama: {"error": message, "detail": message}.
std::string error_body(gateway_error e, std::string_view message,
                       error_dialect d = error_dialect::openai);
std::string error_body(std::string_view type, std::string_view message, int code,
                       error_dialect d = error_dialect::openai);

}  // namespace sb
