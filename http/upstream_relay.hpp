#pragma once
// Sends one request to an upstream and relays its answer to the client as the upstream produces
// it: SSE streams chunk by chunk (each client write carries every complete event that has
// arrived; a partial event is held back so a cut stream never leaves half an event), other
// bodies whole. A slow client slows the upstream read (one bounded buffer per stream); a client
// that leaves cancels the upstream request at once.
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/response.hpp"

namespace sb {

class upstream_endpoint;
struct runtime;

/// A request for the upstream: method, path below the connection's base URL, body and the few
/// headers that vary per request. The connection adds Host, auth and its custom headers.
struct upstream_request {
  boost::beast::http::verb method = boost::beast::http::verb::post;
  std::string path;  // e.g. "/chat/completions"
  std::string content_type = "application/json";
  std::string accept;
  std::string body;
};

/// Performs `req` against `ep` (pooled connection, retried once on a fresh one when a pooled
/// connection turns out closed) and answers the client. Never throws.
boost::asio::awaitable<handled> relay_to_upstream(session_io& s, runtime& rt,
                                                  std::shared_ptr<upstream_endpoint> ep,
                                                  upstream_request req);

}  // namespace sb
