#include "http/upstream/outcome_batcher.hpp"

#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <vector>

#include "http/server/io_pool.hpp"
#include "http/server/runtime.hpp"
#include "http/server/thread_affinity.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {

struct thread_batcher {
  std::optional<boost::asio::steady_timer> timer;  // on this thread's io_context
  [[no_unique_address]] home_thread home;
  std::vector<std::shared_ptr<upstream_endpoint>> queued;
  bool armed = false;
};

thread_batcher& batcher() {
  thread_local thread_batcher b;
  return b;
}

void flush() {
  auto& b = batcher();
  b.armed = false;
  auto queued = std::move(b.queued);
  b.queued.clear();
  for (auto& ep : queued) {
    auto& load = ep->load_here();
    auto batch = load.pending;
    load.pending = {};
    load.report_queued = false;
    if (!batch.empty()) ep->report(batch);
  }
}

}  // namespace

void record_outcome(runtime& rt, const std::shared_ptr<upstream_endpoint>& ep, request_outcome o) {
  int i = io_pool::current_index();
  if (i < 0) {
    outcome_batch one;
    one.add(o);
    if (!one.empty()) ep->report(one);
    return;
  }
  auto& load = ep->load_here();
  load.pending.add(o);
  if (load.report_queued) return;
  load.report_queued = true;
  auto& b = batcher();
  b.queued.push_back(ep);
  if (b.armed) return;
  b.armed = true;
  if (!b.timer) b.timer.emplace(rt.io.context(static_cast<unsigned>(i)));
  b.timer->expires_after(outcome_report_window);
  b.timer->async_wait([armed_by = &b](const boost::system::error_code& ec) {
    // flush() takes this thread's batcher: it must be the one that armed the timer.
    armed_by->home.check("an outcome batch flushed off the I/O thread that queued it");
    if (ec) {
      batcher().armed = false;  // the next outcome re-arms it; the queue is kept
      return;
    }
    flush();
  });
}

}  // namespace sb
