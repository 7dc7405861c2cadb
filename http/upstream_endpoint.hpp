#pragma once
// The data plane of one configured connection: where it is, how to authenticate, its keep-alive
// connection pool (one shard per I/O thread, so taking and returning a connection never locks or
// crosses threads), its health flag and its counters. Created and owned by the connection's
// upstream_actor; the catalog snapshot points routes straight at it.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/connection_spec.hpp"
#include "http/metrics.hpp"

namespace sb {

struct runtime;

/// An upstream base URL, split for connecting and for building request targets.
struct upstream_target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string base_path;    // e.g. "/v1", never ending in '/'
  std::string host_header;  // host[:port] as the Host header carries it
};

/// Parses http(s)://host[:port][/path]; anything else is an error naming the problem.
std::optional<upstream_target> parse_upstream_url(std::string_view url, std::string& error);

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// One keep-alive connection to the upstream and the bytes read ahead on it.
struct upstream_connection {
  explicit upstream_connection(plain_stream s) : stream(std::move(s)) {}
  explicit upstream_connection(tls_stream s) : stream(std::move(s)) {}
  std::variant<plain_stream, tls_stream> stream;
  boost::beast::flat_buffer buffer;
};

class upstream_endpoint {
 public:
  upstream_endpoint(connection_spec spec, upstream_target target, runtime& rt);
  ~upstream_endpoint();
  upstream_endpoint(const upstream_endpoint&) = delete;
  upstream_endpoint& operator=(const upstream_endpoint&) = delete;

  const connection_spec& spec() const { return spec_; }
  const upstream_target& target() const { return target_; }
  upstream_stats& stats() { return stats_; }
  runtime& rt() { return rt_; }

  /// Whether routing should prefer this connection. Down after a failed model-list probe (until
  /// one succeeds) or, for a cool-down, after a request could not connect; a response clears it.
  bool healthy() const {
    auto until = down_until_.load(std::memory_order_relaxed);
    return until == 0 || std::chrono::steady_clock::now().time_since_epoch().count() >= until;
  }
  void set_healthy(bool h) {
    down_until_.store(h ? 0 : std::numeric_limits<std::int64_t>::max(), std::memory_order_relaxed);
  }
  void mark_down_for(std::chrono::milliseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    down_until_.store(until.time_since_epoch().count(), std::memory_order_relaxed);
  }
  /// A response arrived: clear a cool-down (written only when set, to keep the line shared).
  void mark_answering() {
    if (down_until_.load(std::memory_order_relaxed) != 0)
      down_until_.store(0, std::memory_order_relaxed);
  }

  /// The head of a request to this upstream: request line, Host, authentication, the
  /// connection's custom headers, then the given ones. The only place an upstream credential is
  /// put on the wire. `content_type` and `accept` are left out when empty.
  std::string request_head(boost::beast::http::verb method, std::string_view path,
                           std::string_view content_type, std::string_view accept,
                           std::size_t content_length) const;

  /// A pooled connection of the calling I/O thread, or null. Must run on an I/O thread.
  std::unique_ptr<upstream_connection> take_idle();
  /// Gives a connection back: pooled when `reusable`, closed otherwise.
  void release(std::unique_ptr<upstream_connection> c, bool reusable);
  /// Opens a new connection (resolve, connect, TLS handshake) within the connect timeout.
  boost::asio::awaitable<std::unique_ptr<upstream_connection>> connect(
      boost::system::error_code& ec);

 private:
  struct shard {
    std::vector<std::unique_ptr<upstream_connection>> idle;
  };
  connection_spec spec_;
  upstream_target target_;
  runtime& rt_;
  std::string rendered_headers_;  // Host, Authorization and custom headers as wire text
  std::vector<shard> shards_;
  std::atomic<std::int64_t> down_until_{0};  // steady_clock ticks; 0: up
  upstream_stats stats_;
};

}  // namespace sb
