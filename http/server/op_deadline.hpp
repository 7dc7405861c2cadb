#pragma once
// Timeouts for socket operations without a timer per operation. Each I/O thread runs one ticker
// (every 100 ms) over the deadlines registered on that thread; arming a deadline is two stores.
// A Beast stream timeout instead arms and cancels a timer around every read and write, and when
// that timer is the thread's earliest each arm costs a timerfd_settime system call: measured at
// about 8 % of a keep-alive request's cost at one connection (bench/HISTORY.md).
// Resolution is the tick: a timeout fires up to 100 ms late, never early.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>

#include "http/server/thread_affinity.hpp"

namespace sb {

class op_deadline {
 public:
  using clock = std::chrono::steady_clock;

  /// Registers with the calling I/O thread's ticker; must be created and destroyed on that thread.
  op_deadline();
  ~op_deadline();
  op_deadline(const op_deadline&) = delete;
  op_deadline& operator=(const op_deadline&) = delete;

  /// The next operation on `socket` must end by `when` (or within `d`), else it is cancelled.
  /// One operation at a time: a second arm before settle() would silently drop the first's
  /// timeout (checked in debug builds), as would arming from another thread.
  void arm(boost::asio::ip::tcp::socket& socket, clock::time_point when) {
    home_.check("a session's deadline armed off its I/O thread");
    expect_invariant(target_ == nullptr, "a session's deadline armed twice before it settled");
    target_ = &socket;
    when_ = when;
    fired_ = false;
  }
  void arm(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds d) {
    arm(socket, clock::now() + d);
  }
  /// Disarms after the operation and turns the cancellation the ticker caused into a timeout.
  boost::system::error_code settle(boost::system::error_code ec);

  /// Called by the ticker.
  void check(clock::time_point now);

 private:
  boost::asio::ip::tcp::socket* target_ = nullptr;
  clock::time_point when_{};
  bool fired_ = false;
  std::size_t index_ = 0;  // position in the thread's registry
  [[no_unique_address]] home_thread home_;
};

/// Starts the ticker of the I/O thread running `ctx` (call on that thread).
void start_deadline_ticker(boost::asio::io_context& ctx);

}  // namespace sb
