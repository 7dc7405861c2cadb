#pragma once
#include <optional>
// What a session hands each complete request to. The server side knows nothing of routes: the API
// layer (http/api/router) implements this, so the layers link one way.
#include <boost/asio/awaitable.hpp>

#include "http/server/metrics.hpp"
#include "http/server/response.hpp"

namespace sb {

class request_handler {
 public:
  virtual ~request_handler() = default;
  /// Answers `req` on `s`; points `stats` at the counters the answer is recorded in.
  virtual boost::asio::awaitable<handled> handle(session_io& s, client_request& req,
                                                 route_stats*& stats) = 0;
  /// Answers a request from its head alone (its body not read yet) when that is refused there
  /// (no route, method, credentials, cross-site), pointing `stats` at its counters; nothing when
  /// its route would read the body. What `Expect: 100-continue` asks before the body is sent.
  virtual boost::asio::awaitable<std::optional<handled>> refuse_head(session_io& s,
                                                                     const client_request& head,
                                                                     route_stats*& stats) = 0;
};

}  // namespace sb
