#include "http/server/errors.hpp"

#include <boost/json.hpp>

namespace sb {

namespace http = boost::beast::http;

error_traits traits_of(gateway_error e) {
  using L = spdlog::level::level_enum;
  switch (e) {
    case gateway_error::bad_request:
      return {http::status::bad_request, "invalid_request_error", L::debug};
    case gateway_error::unauthorized:
      return {http::status::unauthorized, "authentication_error", L::info};
    case gateway_error::forbidden:
      return {http::status::forbidden, "permission_error", L::info};
    case gateway_error::not_found:
      return {http::status::not_found, "not_found_error", L::debug};
    case gateway_error::model_not_found:
      return {http::status::not_found, "model_not_found", L::debug};
    case gateway_error::method_not_allowed:
      return {http::status::method_not_allowed, "invalid_request_error", L::debug};
    case gateway_error::payload_too_large:
      return {http::status::payload_too_large, "invalid_request_error", L::info};
    case gateway_error::headers_too_large:
      return {http::status::request_header_fields_too_large, "invalid_request_error", L::info};
    case gateway_error::expectation_failed:
      return {http::status::expectation_failed, "invalid_request_error", L::debug};
    case gateway_error::precondition_failed:
      return {http::status::precondition_failed, "precondition_failed", L::info};
    case gateway_error::unsupported_media_type:
      return {http::status::unsupported_media_type, "invalid_request_error", L::info};
    case gateway_error::overloaded:
      return {http::status::service_unavailable, "overloaded_error", L::warn};
    case gateway_error::upstreams_down:
      return {http::status::service_unavailable, "upstream_unavailable", L::warn};
    case gateway_error::upstreams_throttled:
      return {http::status::too_many_requests, "rate_limit_error", L::info};
    case gateway_error::upstream_unreachable:
      return {http::status::bad_gateway, "upstream_error", L::warn};
    case gateway_error::upstream_timeout:
      return {http::status::gateway_timeout, "upstream_timeout", L::warn};
    case gateway_error::upstream_bad_response:
      return {http::status::bad_gateway, "upstream_error", L::warn};
    case gateway_error::internal:
      return {http::status::internal_server_error, "internal_error", L::err};
  }
  return {http::status::internal_server_error, "internal_error", L::err};
}

std::string error_body(std::string_view type, std::string_view message, int code,
                       error_dialect d) {
  if (d == error_dialect::ollama)
    return boost::json::serialize(boost::json::object{{"error", message}, {"detail", message}});
  boost::json::object err{{"message", message}, {"type", type}, {"code", code}};
  boost::json::object o{{"detail", message}, {"error", std::move(err)}};
  return boost::json::serialize(o);
}

std::string error_body(gateway_error e, std::string_view message, error_dialect d) {
  auto t = traits_of(e);
  return error_body(t.type, message, static_cast<int>(t.status), d);
}

}  // namespace sb
