#include "http/server/client_reader.hpp"

#include <array>
#include <utility>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include "http/server/op_deadline.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

client_reader::client_reader(beast::tcp_stream& stream) : stream_(&stream) {
  // Reads after a readiness wait must never block. Asio would set O_NONBLOCK on the first
  // asynchronous operation anyway: this is the same one ioctl, made earlier.
  error_code ignored;
  stream_->socket().non_blocking(true, ignored);
}

void client_reader::start() {
  if (outstanding_ || has_result_ || buffer.size() > 0) return;
  outstanding_ = true;
  buffer.shrink_to_fit();  // nothing is held while the connection waits
  // A new connection's first request is usually there as it is accepted: read it at once.
  if (std::exchange(fresh_, false)) return on_readable({});
  await_readable();
}

// The raw socket, not the Beast stream: this wait may be outstanding for the whole length of a
// long stream, and a Beast timeout would close the socket under it. Idle time is bounded by
// wait()'s deadline instead, once the answer has been sent.
void client_reader::await_readable() {
  stream_->socket().async_wait(
      net::socket_base::wait_read,
      [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
}

void client_reader::on_readable(error_code ec) {
  // The connection may have ended while this completion waited in the queue (a wait completes
  // with success even when its socket is closed after epoll reported it): nothing is read then.
  if (!stream_) return complete(net::error::operation_aborted);
  if (!ec) {
    // Read into the thread's block, then keep exactly what came: a request head is a few hundred
    // bytes; a larger body is read on by the parser's own reads.
    thread_local std::array<char, 16 * 1024> scratch;
    auto n = stream_->socket().read_some(net::buffer(scratch), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) return await_readable();
    if (n > 0) {
      net::buffer_copy(buffer.prepare(n), net::buffer(scratch.data(), n));
      buffer.commit(n);
    }
  }
  complete(ec);
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

void client_reader::complete(const error_code& ec) {
  outstanding_ = false;
  has_result_ = true;
  ec_ = ec;
  if (ec && on_close_) {
    auto f = std::move(on_close_);
    on_close_ = nullptr;
    f();
  }
  if (waiter_) {
    auto w = std::move(waiter_);
    waiter_ = nullptr;
    w(ec);
  } else if (resume_) {
    parked_ = false;
    auto r = std::move(resume_);
    resume_ = nullptr;
    r();
  }
}

void client_reader::detach() {
  stream_ = nullptr;
  on_close_ = nullptr;
  resume_ = nullptr;
}

bool client_reader::park() {
  if (!waiter_) return false;
  parked_ = true;
  auto w = std::move(waiter_);
  waiter_ = nullptr;
  w({});
  return true;
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
    deadline.arm(stream_->socket(), idle);
    armed_ = true;
    auto token = net::as_tuple(net::use_awaitable);
    wait_initiation start{this};
    co_await net::async_initiate<decltype(token), void(error_code)>(start, token);
    if (parked_) co_return error_code{};  // the deadline stays armed while parked
  }
  if (std::exchange(armed_, false)) ec_ = deadline.settle(ec_);
  has_result_ = false;
  co_return ec_;
}

}  // namespace sb
