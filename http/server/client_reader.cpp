#include "http/server/client_reader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include "http/server/op_deadline.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

client_reader::client_reader(beast::tcp_stream& stream) : stream_(stream) {}

void client_reader::start() {
  if (outstanding_ || has_result_ || buffer.size() > 0) return;
  outstanding_ = true;
  // The raw socket, not the Beast stream: this read may be outstanding for the whole length of a
  // long stream, and a Beast timeout would close the socket under it. Idle time is bounded by
  // wait()'s timer instead, once the answer has been sent.
  stream_.socket().async_read_some(
      buffer.prepare(8192),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->complete(ec, n); });
}

// Stores the waiting coroutine's handler (move-only) where complete() finds it. Kept out of the
// coroutine body: g++ 12 mis-handles lambda captures written inside coroutines.
struct client_reader::wait_initiation {
  client_reader* self;
  template <class Handler>
  void operator()(Handler&& handler) const {
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    self->waiter_ = [h](error_code ec) { (*h)(ec); };
  }
};

void client_reader::complete(const error_code& ec, std::size_t n) {
  outstanding_ = false;
  has_result_ = true;
  buffer.commit(n);
  ec_ = ec;
  if ((ec || n == 0) && on_close_) {
    auto f = std::move(on_close_);
    on_close_ = nullptr;
    f();
  }
  if (waiter_) {
    auto w = std::move(waiter_);
    waiter_ = nullptr;
    w(ec);
  }
}

bool client_reader::watch(std::function<void()> f) {
  if (!outstanding_) return false;
  on_close_ = std::move(f);
  return true;
}

net::awaitable<error_code> client_reader::wait(std::chrono::milliseconds idle,
                                               op_deadline& deadline) {
  start();
  if (!has_result_) {
    // The read is already outstanding; the deadline cancels it when the connection stays idle.
    deadline.arm(stream_.socket(), idle);
    auto token = net::as_tuple(net::use_awaitable);
    wait_initiation start{this};
    co_await net::async_initiate<decltype(token), void(error_code)>(start, token);
    ec_ = deadline.settle(ec_);
  }
  has_result_ = false;
  co_return ec_;
}

}  // namespace sb
