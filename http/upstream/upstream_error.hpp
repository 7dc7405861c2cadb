#pragma once
// What a client is told when an upstream fails: the connection's name, the failure described, and
// an upstream error answer turned into the route's error dialect. An upstream body is never echoed
// wholesale: only its message (and, for OpenAI's shape, the error's scalar fields) pass, capped and
// scrubbed of the connection's credentials, since a provider's 401 may quote the key it was sent.
#include <boost/beast/http/status.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <utility>

#include "http/server/errors.hpp"

namespace sb {

class upstream_endpoint;
struct runtime;

/// "openai connection 2", as every message about a connection names it ("the server being
/// verified" for one that is not configured).
std::string connection_name(const upstream_endpoint& ep);

/// The gateway error a transport failure is (timeout, invalid HTTP, unreachable).
gateway_error classify_failure(const boost::system::error_code& ec);
/// A client-facing sentence for a transport failure.
std::string describe_failure(const upstream_endpoint& ep, const boost::system::error_code& ec,
                             const runtime& rt);

/// The status and body a client gets for an upstream answer with status >= 400: the upstream's
/// status and its own message when it sent one the adapter can read, else a generic message
/// (with 502 for an upstream 5xx).
std::pair<boost::beast::http::status, std::string> upstream_error_answer(
    unsigned status, const std::string& body, const upstream_endpoint& ep, error_dialect d);

}  // namespace sb
