#pragma once
// The route handlers, by family; http/api/route_table.cpp says which route runs which. Each runs
// after the router has checked the method, the caller and `{url_idx}`.
#include "http/api/route_table.hpp"

namespace sb {

using route_result = boost::asio::awaitable<handled>;

// The gateway's own (http/api/gateway_routes.cpp).
route_result get_health(api_context&, session_io&, client_request&);
route_result get_metrics(api_context&, session_io&, client_request&);

// OpenAI-compatible connections (http/api/openai_routes.cpp).
route_result openai_models(api_context&, session_io&, client_request&);
route_result openai_chat(api_context&, session_io&, client_request&);

// Provider configuration (http/api/config_routes.cpp).
route_result openai_config(api_context&, session_io&, client_request&);
route_result openai_config_update(api_context&, session_io&, client_request&);

}  // namespace sb
