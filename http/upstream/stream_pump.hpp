#pragma once
// The last step of relaying a streamed answer (SSE or NDJSON): its head is written to the client,
// then the body is pumped through its framing, each client write carrying every complete event
// that has arrived. A slow client slows the upstream read (one bounded buffer per stream); a client
// that leaves, or the drain deadline, ends it at once; an upstream that fails mid-stream gets the
// partial event dropped and a final error event in the stream's framing, never a false end.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <optional>

#include "http/server/response.hpp"
#include "messages/health_types.hpp"
#include "http/upstream/framing.hpp"
#include "http/upstream/relay_watch.hpp"
#include "http/upstream/stream_hook.hpp"

namespace sb {

struct runtime;

/// One attempt of one request, as every relay step sees it.
struct exchange_context {
  session_io& s;
  runtime& rt;
  upstream_endpoint& ep;
  upstream_connection& conn;
  client_watch& w;
  bool may_hand_back = false;  // a failure before any answer may go to another connection
  std::chrono::steady_clock::time_point started{};  // when the request was sent: phase deadlines
  // What the attempt says of the upstream, filled in by the steps (here rather than in
  // exchange_result: that one is copied into a frame slot per co_return, and a bigger one pushed
  // the exchange frame past the 1,020 bytes Asio recycles, a malloc per request).
  std::optional<request_outcome> outcome{};
  unsigned upstream_status = 0;  // the final head's, when one came
  std::chrono::steady_clock::time_point head_at{};
  std::chrono::milliseconds retry_after{0};  // a 429's
};

/// What an attempt did: answered (or lost) the client, found a pooled connection closed before
/// any answer (retry on a fresh one), or handed the request back unanswered (the upstream broke,
/// or answered 5xx / 429, before anything reached the client); and whether its connection can be
/// pooled again. Kept small (see exchange_context).
struct exchange_result {
  handled answer;
  bool retry_fresh = false;
  bool reusable = false;
  bool hand_back = false;
};

/// Relays the body that follows the final head in `head` (read from `up`) in framing `f`; a cut
/// SSE stream ends with an error event of `dialect`.
template <class Stream>
boost::asio::awaitable<exchange_result> pump_stream(
    exchange_context& c, Stream& up,
    boost::beast::http::response_parser<boost::beast::http::empty_body>& head, framing f,
    stream_hook* hook, sse_dialect dialect);

}  // namespace sb
