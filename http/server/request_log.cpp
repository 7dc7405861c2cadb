#include "http/server/request_log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "http/server/io_pool.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace {

constexpr std::size_t batch_cap = 4096;  // handed over at once when a window brings this many

struct thread_batch {
  std::optional<boost::asio::steady_timer> timer;  // on this thread's io_context
  request_records records;
  bool armed = false;
};

thread_batch& batch() {
  thread_local thread_batch b;
  return b;
}

void hand_over(runtime& rt) {
  auto& b = batch();
  if (b.records.empty()) return;
  request_records out;
  out.swap(b.records);
  rt.request_log(std::move(out));
}

}  // namespace

void note_request(runtime& rt, request_record&& r) {
  auto& b = batch();
  b.records.push_back(std::move(r));
  int i = io_pool::current_index();
  if (i < 0 || b.records.size() >= batch_cap) return hand_over(rt);
  if (b.armed) return;
  b.armed = true;
  if (!b.timer) b.timer.emplace(rt.io.context(static_cast<unsigned>(i)));
  b.timer->expires_after(request_log_window);
  b.timer->async_wait([&rt](const boost::system::error_code&) {
    batch().armed = false;
    hand_over(rt);
  });
}

void hand_over_request_logs(runtime& rt) {
  if (!rt.request_log) return;
  // Shared, not on this stack: a thread that answers after the wait gave up must find it alive.
  struct countdown {
    std::mutex m;
    std::condition_variable cv;
    unsigned left;
  };
  auto c = std::make_shared<countdown>();
  c->left = rt.io.size();
  for (unsigned i = 0; i < rt.io.size(); ++i)
    boost::asio::post(rt.io.context(i), [&rt, c] {
      hand_over(rt);
      std::lock_guard lock(c->m);
      if (--c->left == 0) c->cv.notify_one();
    });
  // A thread stuck for seconds (the watchdog would have said so) does not hold up the exit.
  std::unique_lock lock(c->m);
  c->cv.wait_for(lock, std::chrono::seconds(2), [&] { return c->left == 0; });
}

}  // namespace sb
