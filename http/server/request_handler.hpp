#pragma once
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
  /// Whether a request with this head (its body not read yet) would be answered by its route,
  /// rather than refused from the head alone (no route, method, credentials, cross-site): what
  /// `Expect: 100-continue` asks before the body is sent.
  virtual bool admits_body(const client_request& head) const = 0;
};

}  // namespace sb
