#pragma once
// Sends one request to an upstream and relays its answer to the client as the upstream produces
// it: SSE streams chunk by chunk (each client write carries every complete event that has
// arrived; a partial event is held back so a cut stream never leaves half an event), other
// bodies whole. A slow client slows the upstream read (one bounded buffer per stream); a client
// that leaves cancels the upstream request at once.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>

#include "http/server/response.hpp"

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

/// How long a connection that refused a connection is passed over by routing before one request
/// tries it again (a successful model-list probe or any answer clears it sooner).
inline constexpr std::chrono::milliseconds connect_failure_cooldown{5'000};

/// What relaying did: answered the client, or (when failover was allowed) could not reach the
/// upstream at all and sent the client nothing, so another connection may be tried.
struct relay_outcome {
  handled answer;
  bool unreachable = false;
};

/// Ends every stream still being relayed with a final error event ("the gateway is shutting
/// down"), on each I/O thread: what a drain does when its deadline passes. Callable from any thread.
void cut_open_streams(runtime& rt);

/// Performs `req` against `ep` (pooled connection, retried once on a fresh one when a pooled
/// connection turns out closed) and answers the client. With `may_fail_over`, an upstream that
/// cannot be connected to is reported instead of answered. Never throws.
boost::asio::awaitable<relay_outcome> relay_to_upstream(session_io& s, runtime& rt,
                                                        std::shared_ptr<upstream_endpoint> ep,
                                                        const upstream_request& req,
                                                        bool may_fail_over);

}  // namespace sb
