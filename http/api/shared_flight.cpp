#include "http/api/shared_flight.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <unordered_map>

#include "http/server/client_reader.hpp"
#include "http/server/log_failure.hpp"

namespace sb {

namespace net = boost::asio;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

struct flight {
  std::shared_ptr<cancel_group> cancel = std::make_shared<cancel_group>();
  std::vector<upstream_reply> replies;
  bool done = false;
  std::vector<net::steady_timer*> waiting;  // one timer per waiting client, woken when done
};

std::unordered_map<std::string, std::shared_ptr<flight>>& flights() {
  thread_local std::unordered_map<std::string, std::shared_ptr<flight>> on_this_thread;
  return on_this_thread;
}

void forget(const std::string& key, const std::shared_ptr<flight>& f) {
  auto it = flights().find(key);
  if (it != flights().end() && it->second == f) flights().erase(it);
}

net::awaitable<void> fly(std::shared_ptr<flight> f, std::string key, upstream_calls calls) {
  f->replies = co_await call_all(std::move(calls));
  f->done = true;
  forget(key, f);
  for (auto* t : f->waiting) t->cancel();
}

// What a waiter does when its client leaves: stops waiting. Built outside the coroutines: g++ 12
// mishandles lambda captures written inside them.
std::function<void()> stop_waiting(net::steady_timer& t, bool& left) {
  return [&t, &left] {
    left = true;
    t.cancel();
  };
}

// Waits on `t` until it is cancelled (the awaited work is done, or the client left).
net::awaitable<bool> wait_for_client(session_io& s, net::steady_timer& t) {
  bool left = false;
  bool watched = s.reader && s.reader->watch(stop_waiting(t, left));
  co_await t.async_wait(use_nothrow);
  if (watched) s.reader->unwatch();
  co_return !left;
}

struct gathered {
  explicit gathered(net::any_io_executor ex) : woken(ex, net::steady_timer::time_point::max()) {}
  std::vector<upstream_reply> replies;
  bool done = false;
  net::steady_timer woken;
};

net::awaitable<void> gather(std::shared_ptr<gathered> g, upstream_calls calls) {
  g->replies = co_await call_all(std::move(calls));
  g->done = true;
  g->woken.cancel();
}

}  // namespace

net::awaitable<std::optional<std::vector<upstream_reply>>> call_for_client(
    session_io& s, std::shared_ptr<cancel_group> cancel, upstream_calls calls) {
  auto ex = co_await net::this_coro::executor;
  auto g = std::make_shared<gathered>(ex);
  net::co_spawn(ex, gather(g, std::move(calls)), log_failure{"upstream calls"});
  if (!g->done) co_await wait_for_client(s, g->woken);
  if (!g->done) {
    cancel->request();  // the calls end at once; nobody reads their replies
    co_return std::nullopt;
  }
  co_return std::move(g->replies);
}

net::awaitable<std::optional<std::vector<upstream_reply>>> join_flight(
    session_io& s, std::string key,
    std::function<upstream_calls(const std::shared_ptr<cancel_group>&)> start) {
  auto ex = co_await net::this_coro::executor;
  std::shared_ptr<flight> f = flights()[key];
  if (!f) {
    // co_spawn may run the flight at once, to its end (no server to ask): it then erases its
    // map entry, so nothing here may refer to that entry after it.
    f = std::make_shared<flight>();
    flights()[key] = f;
    net::co_spawn(ex, fly(f, key, start(f->cancel)), log_failure{"shared upstream calls"});
  }
  if (f->done) co_return f->replies;
  net::steady_timer t(ex, net::steady_timer::time_point::max());
  f->waiting.push_back(&t);
  bool stayed = co_await wait_for_client(s, t);
  std::erase(f->waiting, &t);
  if (f->done) co_return f->replies;
  if (!stayed && f->waiting.empty()) {
    // Nobody waits for it any more: the calls stop, and the next client starts afresh.
    forget(key, f);
    f->cancel->request();
  }
  co_return std::nullopt;
}

}  // namespace sb
