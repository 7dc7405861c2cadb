#pragma once
// Where password hashes are made and checked: a thread of its own, off the I/O threads (an
// Argon2id hash takes tens of milliseconds and 64 MiB on purpose). A session hands the work over
// and resumes on its own thread with the result; only sign-in, sign-up and password changes pay
// this hop. At most `max_waiting` jobs queue: a flood of sign-ins is refused, not queued for ever.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <optional>
#include <string>

namespace sb {

class password_worker {
 public:
  explicit password_worker(unsigned max_waiting = 16) : max_waiting_(max_waiting) {}
  ~password_worker();

  /// `work()`'s result, or nothing when too many jobs wait already.
  boost::asio::awaitable<std::optional<std::string>> run(std::function<std::string()> work);

 private:
  boost::asio::thread_pool pool_{1};
  std::atomic<unsigned> waiting_{0};
  unsigned max_waiting_;
};

}  // namespace sb
