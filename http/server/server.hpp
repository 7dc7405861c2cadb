#pragma once
// The listening side: one listening socket, shared by an accept loop on every I/O thread (each
// thread accepts into its own io_context, so a connection never changes threads), and one session
// coroutine per client connection.
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "http/server/request_handler.hpp"
#include "http/server/runtime.hpp"

namespace sb {

class server {
 public:
  server(runtime& rt, request_handler& handler);

  /// Binds and listens; returns false and sets `error` when the address is unusable.
  bool listen(const std::string& host, std::uint16_t port, std::string& error);
  std::uint16_t port() const { return port_; }

  /// Starts accepting on every I/O thread (call before the threads run or from any thread).
  void start();
  /// Stops accepting; open sessions finish their current request and close.
  void stop_accepting();
  /// Closes the connections waiting for their next request (set runtime::draining first).
  void close_idle_sessions();

 private:
  runtime& rt_;
  request_handler& handler_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::uint16_t port_ = 0;
};

}  // namespace sb
