#pragma once
// Maps a request to its handler. Routes are a fixed table (method, path) matched on the path
// without its query; every handler reads the snapshots in `runtime` and never waits on an actor,
// except the admin writes, which wait for the config actor's durable acknowledgement.
#include <boost/asio/awaitable.hpp>

#include "http/control_plane.hpp"
#include "http/metrics.hpp"
#include "http/response.hpp"
#include "http/runtime.hpp"

namespace sb {

class router {
 public:
  router(runtime& rt, control_plane& cp) : rt_(rt), cp_(cp) {}

  /// Answers `req` on `s`; sets `route` to the label metrics count it under.
  boost::asio::awaitable<handled> dispatch(session_io& s, client_request& req, route_id& route);

 private:
  boost::asio::awaitable<handled> openai_chat(session_io& s, client_request& req);
  boost::asio::awaitable<handled> openai_config_update(session_io& s, client_request& req);
  runtime& rt_;
  control_plane& cp_;
};

}  // namespace sb
