#pragma once
// Relays one request to an upstream and its answer to the client, in steps: send the request;
// read the final response head (interim 1xx answers skipped); decide, before any byte reaches the
// client, what to do with the answer (where failover and retries act); then pump the body through
// its framing -- SSE and NDJSON streams event by event as the upstream produces them
// (http/upstream/stream_pump.hpp), anything else whole. A client that leaves cancels the upstream
// request at once.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "http/server/response.hpp"
#include "http/upstream/caller_identity.hpp"
#include "http/upstream/framing.hpp"

namespace sb {

class upstream_endpoint;
class stream_hook;
struct runtime;

/// A request for the upstream: method, path below the connection's base URL, body and the few
/// headers that vary per request. The connection adds Host, auth and its custom headers.
struct upstream_request {
  boost::beast::http::verb method = boost::beast::http::verb::post;
  std::string path;   // e.g. "/chat/completions"
  std::string model;  // the upstream's name for the model, when routed by model
  std::string content_type = "application/json";
  std::string accept;
  std::string body;
  // Who the request is for, when a connection it may go to needs that on the wire (session auth,
  // templated headers, forwarded user info); null otherwise.
  std::shared_ptr<const caller_identity> caller;
  bool json_answer = true;      // a whole success must be JSON (false: audio and other media)
  bool wants_stream = false;    // the request asked to stream: an untyped answer is the
                                // provider's stream framing, not a whole body
  sse_dialect dialect = sse_dialect::chat;  // whose events a streamed answer carries
  stream_hook* hook = nullptr;  // sees (and may rewrite) every event of a streamed answer
  std::shared_ptr<stream_hook> hook_owner;  // the hook, when the request owns it
};

/// How long a connection that refused a connection is passed over by routing before one request
/// tries it again (a successful model-list probe or any answer clears it sooner).
inline constexpr std::chrono::milliseconds connect_failure_cooldown{5'000};

/// Ends every stream still being relayed with a final error event ("the gateway is shutting
/// down"), on each I/O thread: what a drain does when its deadline passes. Callable from any thread.
void cut_open_streams(runtime& rt);

/// A request the relay gave back unanswered, for another connection: its connection could not be
/// reached, broke before answering, or answered 5xx or 429 (not read further: nothing reached the
/// client).
struct handed_back {
  upstream_request request;
  unsigned status = 0;                       // the upstream's, 0 when it gave none
  std::chrono::milliseconds retry_after{0};  // a 429's Retry-After
};

/// Performs `req` against `ep` (pooled connection, retried once on a fresh one when a pooled
/// connection turns out closed) and answers the client. With `unsent`, a failure before any answer
/// sends the client nothing: the request is moved into `*unsent` and the answer's status is 0.
/// Records the outcome for the connection's health and load. Owns its arguments, so it may be
/// returned unawaited. Never throws.
boost::asio::awaitable<handled> relay_to_upstream(session_io& s, runtime& rt,
                                                  std::shared_ptr<upstream_endpoint> ep,
                                                  upstream_request req,
                                                  handed_back* unsent = nullptr);

}  // namespace sb
