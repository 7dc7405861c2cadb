#include "http/server/op_deadline.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>
#include <vector>

namespace sb {

namespace {

constexpr std::chrono::milliseconds tick{100};

thread_local std::vector<op_deadline*> registry;
thread_local std::unique_ptr<boost::asio::steady_timer> ticker;

void schedule() {
  ticker->expires_after(tick);
  ticker->async_wait([](const boost::system::error_code& ec) {
    if (ec) return;
    auto now = op_deadline::clock::now();
    // check() may cancel a socket, whose handlers run later: the registry is not changed here.
    for (auto* d : registry) d->check(now);
    schedule();
  });
}

}  // namespace

op_deadline::op_deadline() : index_(registry.size()) { registry.push_back(this); }

op_deadline::~op_deadline() {
  // A session still open when its I/O thread has stopped is destroyed with the io_context, on
  // another thread: its registry went with its thread, and this thread's does not hold it.
  if (index_ >= registry.size() || registry[index_] != this) return;
  registry[index_] = registry.back();
  registry[index_]->index_ = index_;
  registry.pop_back();
}

boost::system::error_code op_deadline::settle(boost::system::error_code ec) {
  home_.check("a session's deadline settled off its I/O thread");
  target_ = nullptr;
  if (fired_) {
    fired_ = false;
    if (ec == boost::asio::error::operation_aborted || ec == boost::asio::error::bad_descriptor)
      return boost::beast::error::timeout;
  }
  return ec;
}

void op_deadline::check(clock::time_point now) {
  if (!target_ || now < when_) return;
  fired_ = true;
  boost::system::error_code ignored;
  target_->cancel(ignored);
  target_ = nullptr;
}

void start_deadline_ticker(boost::asio::io_context& ctx) {
  ticker = std::make_unique<boost::asio::steady_timer>(ctx);
  schedule();
}

}  // namespace sb
