#pragma once
// The one read a session keeps on its client socket. It is started as soon as a request has been
// parsed and serves twice: while the request is answered, its ending with EOF or an error means
// the client left (the relay then cancels the upstream request at once); afterwards it simply is
// the read of the next request.
// It waits for readiness with no buffer (async_wait), then reads what is there into the thread's
// scratch block and keeps only those bytes: an idle keep-alive connection holds no read buffer
// (an 8 KB one per connection was most of an idle connection's memory). The wait costs one
// epoll_ctl, where a read started at once cost one failing receive (Boost 1.81's Asio tries a
// read before waiting whenever the last one returned data): no more system calls than before.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace sb {

class op_deadline;

class client_reader : public std::enable_shared_from_this<client_reader> {
 public:
  explicit client_reader(boost::beast::tcp_stream& stream);

  /// Bytes read from the client and not parsed yet.
  boost::beast::flat_buffer buffer;

  /// Starts the read of the next bytes unless one is outstanding or bytes are already buffered
  /// (a pipelining client: then there is nothing to watch with).
  void start();
  /// Waits (at most `idle`) for the outstanding read; ready at once if it has completed.
  /// Returns its error (beast::error::timeout after `idle`), or success with bytes in `buffer`.
  boost::asio::awaitable<boost::system::error_code> wait(std::chrono::milliseconds idle,
                                                         op_deadline& deadline);
  /// Runs `f` once if the outstanding read ends with EOF or an error before unwatch(). False (and
  /// nothing watched) when no read is outstanding.
  bool watch(std::function<void()> f);
  void unwatch() { on_close_ = nullptr; }
  bool reading() const { return outstanding_; }
  /// A read has completed and wait() has not collected it yet.
  bool has_result() const { return has_result_; }

  /// Parking: a session idle for a while gives its coroutine up, keeping only its connection.
  /// park() ends the wait() in progress (false when none is), which then reports parked(); the
  /// session hands over `resume`, run once when the read completes (the next request, the
  /// client's close, or the idle deadline's cancel), which starts a session again. That session's
  /// wait() collects the result and settles the deadline armed before.
  bool park();
  /// The connection is ending: a completion still queued must not touch its stream (the read's
  /// pending handler keeps this object, not the connection, alive).
  void detach();
  bool parked() const { return parked_; }
  void resume_with(std::function<void()> resume) { resume_ = std::move(resume); }

 private:
  struct wait_initiation;
  void await_readable();
  void on_readable(boost::system::error_code ec);
  void complete(const boost::system::error_code& ec);

  boost::beast::tcp_stream* stream_;  // null once detached
  bool fresh_ = true;  // no read made yet on this connection
  bool outstanding_ = false;
  bool has_result_ = false;
  bool parked_ = false;
  bool armed_ = false;  // wait() armed the deadline and has not settled it
  boost::system::error_code ec_;
  std::function<void(boost::system::error_code)>
      waiter_;  // the session's wait(), resumed by complete()
  std::function<void()> on_close_;
  std::function<void()> resume_;  // a parked session's way back
};

}  // namespace sb
