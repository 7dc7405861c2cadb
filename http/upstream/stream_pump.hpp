#pragma once
// The last step of relaying a streamed answer (SSE or NDJSON): its head is written to the client,
// then the body is pumped through its framing, each client write carrying every complete event
// that has arrived. A slow client slows the upstream read (one bounded buffer per stream); a client
// that leaves, or the drain deadline, ends it at once; an upstream that fails mid-stream gets the
// partial event dropped and a final error event in the stream's framing, never a false end.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/server/response.hpp"
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
};

/// What an attempt did: answered (or lost) the client, or found a pooled connection closed before
/// any answer (retry on a fresh one); and whether its connection can be pooled again.
struct exchange_result {
  handled answer;
  bool retry_fresh = false;
  bool reusable = false;
};

/// Relays the body that follows the final head in `head` (read from `up`) in framing `f`.
template <class Stream>
boost::asio::awaitable<exchange_result> pump_stream(
    exchange_context& c, Stream& up,
    boost::beast::http::response_parser<boost::beast::http::empty_body>& head, framing f,
    stream_hook* hook);

}  // namespace sb
