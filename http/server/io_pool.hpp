#pragma once
// The I/O threads: one io_context per thread, each run by exactly one thread, so everything a
// session does (its socket, its upstream connection, its timers) stays on one thread: the
// io_context is the session's strand, and no request crosses threads (see toolchain notes: a
// cross-thread wake-up costs 12-25 us, most of nginx's whole per-request cost).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace sb {

class io_pool {
 public:
  explicit io_pool(unsigned threads);
  ~io_pool();

  unsigned size() const { return static_cast<unsigned>(contexts_.size()); }
  boost::asio::io_context& context(unsigned i) { return *contexts_[i]; }

  void start();  // runs every context on its own thread
  void stop();   // stops the contexts and joins the threads
  void join();

  /// Index of the I/O thread calling, or -1 on any other thread. Per-thread state (upstream
  /// connection pools) is sharded by it.
  static int current_index();

 private:
  using guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace sb
