#include "http/upstream/upstream_call.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <memory>
#include <optional>

#include "http/server/growing_string_body.hpp"
#include "http/server/log_failure.hpp"
#include "http/server/memory_budget.hpp"
#include "http/upstream/relay_watch.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// One exchange on an open connection; returns whether the connection can be pooled again.
// `silent` tells whether the upstream sent nothing before failing without a timeout: the mark of
// a pooled connection it had closed, the one failure after which sending again is safe (a delete
// or a copy must not be repeated once the upstream may have acted on it).
// Reads the final answer's body within the memory budget (when the call has one). Before each
// read, room for all it may add (what is buffered, and a read: Beast's reads take up to 64 KiB)
// is held of the budget, so the body never grows by itself; what waits unparsed (a chunk header,
// trailers) is bounded, as feed_parser bounds it on the relay.
template <class Stream, class Parser>
net::awaitable<boost::system::error_code> read_budgeted_body(Stream& s, upstream_connection& conn,
                                                             Parser& p, upstream_reply& r,
                                                             memory_budget& budget) {
  constexpr std::size_t per_read = 64 * 1024;
  constexpr std::size_t max_unparsed = 256 * 1024;
  r.lease = std::make_shared<budget_lease>(budget);
  while (!p.is_done()) {
    auto& body = p.get().body();
    std::size_t room = body.size() + conn.buffer.size() + per_read;
    if (room > body.capacity()) {
      std::size_t want = std::max(room, body.capacity() * 2);
      if (auto left = p.content_length_remaining())  // never more than the declared body needs
        want = std::max(std::min<std::size_t>(want, body.size() + *left), body.capacity());
      // A growth copies into a new block before the old one is freed: both count meanwhile.
      if (!r.lease->hold(want + body.capacity())) {
        r.over_budget = true;
        co_return boost::system::error_code{};
      }
      body.reserve(want);
      r.lease->settle_at(body.capacity());
    }
    auto [ec, n] = co_await http::async_read_some(s, conn.buffer, p, use_nothrow);
    if (ec) co_return ec;
    if (conn.buffer.size() > max_unparsed) co_return http::error::header_limit;
  }
  co_return boost::system::error_code{};
}

template <class Stream>
net::awaitable<bool> exchange_once(Stream& s, upstream_connection& conn, const std::string& head,
                                   const std::string& body, const call_options& o,
                                   upstream_reply& r, bool& silent, bool& written,
                                   upstream_cancel& cancel) {
  auto& lowest = beast::get_lowest_layer(s);
  watch_scope watching(cancel, &lowest);
  lowest.expires_after(o.timeout);
  std::array<net::const_buffer, 2> out{net::buffer(head), net::buffer(body)};
  if (auto [ec, n] = co_await net::async_write(s, out, use_nothrow); ec) {
    r.timed_out = ec == beast::error::timeout;
    r.error = r.timed_out ? "timed out" : ec.message();
    silent = !r.timed_out;
    co_return false;
  }
  written = true;
  // Interim (1xx) answers are skipped until the final one, as on the request path.
  std::optional<http::response_parser<growing_string_body>> p;
  for (int interim = 0;; ++interim) {
    p.emplace();
    p->body_limit(o.max_bytes);
    if (auto [ec, n] = co_await http::async_read_header(s, conn.buffer, *p, use_nothrow); ec) {
      r.timed_out = ec == beast::error::timeout;
      r.error = r.timed_out ? "timed out" : ec.message();
      silent = interim == 0 && !p->got_some() && !r.timed_out;
      co_return false;
    }
    auto kind = classify_head(p->get().result_int(), interim);
    if (kind == head_kind::final) {
      boost::system::error_code ec;
      if (o.budget) {
        ec = co_await read_budgeted_body(s, conn, *p, r, *o.budget);
      } else {
        auto [read_ec, n] = co_await http::async_read(s, conn.buffer, *p, use_nothrow);
        ec = read_ec;
      }
      if (r.over_budget) {
        r.error = "the gateway is holding as many answer bytes as it may";
        co_return false;
      }
      if (ec) {
        r.timed_out = ec == beast::error::timeout;
        r.error = r.timed_out ? "timed out" : ec.message();
        co_return false;
      }
      break;
    }
    if (kind == head_kind::refused) {
      r.error = "unexpected interim response " + std::to_string(p->get().result_int());
      co_return false;
    }
  }
  r.status = static_cast<int>(p->get().result_int());
  r.body = std::move(p->get().body());
  lowest.expires_never();
  co_return p->keep_alive();
}

// Collects the replies of call_all; the last one to finish wakes the waiter.
struct gathering {
  explicit gathering(net::any_io_executor ex, std::size_t n) : replies(n), left(n), done(ex) {}
  std::vector<upstream_reply> replies;
  std::size_t left;
  net::steady_timer done;
};

net::awaitable<void> collect(std::shared_ptr<gathering> g, std::size_t i,
                             net::awaitable<upstream_reply> call) {
  // Counted however the call ends (an exception included), or the waiter would wait forever.
  struct count_down {
    gathering& g;
    ~count_down() {
      if (--g.left == 0) g.done.cancel();
    }
  } counted{*g};
  g->replies[i] = co_await std::move(call);
}

}  // namespace

net::awaitable<upstream_reply> call_upstream(std::shared_ptr<upstream_endpoint> held,
                                             http::verb method, std::string path,
                                             std::string body, std::chrono::milliseconds timeout,
                                             std::uint64_t max_bytes,
                                             std::shared_ptr<upstream_cancel> cancel) {
  call_options o;
  o.timeout = timeout;
  o.max_bytes = max_bytes;
  o.cancel = std::move(cancel);
  co_return co_await call_upstream(std::move(held), method, std::move(path), std::move(body),
                                   std::move(o));
}

net::awaitable<upstream_reply> call_upstream(std::shared_ptr<upstream_endpoint> held,
                                             http::verb method, std::string path,
                                             std::string body, call_options o) {
  upstream_reply r;
  auto& ep = *held;
  auto cancel = o.cancel ? o.cancel : std::make_shared<upstream_cancel>();
  const auto head = ep.request_head(method, path, body.empty() ? "" : o.content_type,
                                    "application/json", body.size());
  auto conn = ep.take_idle();
  bool reused = conn != nullptr;
  try {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!conn) {
        boost::system::error_code ec;
        conn = co_await ep.connect(ec, cancel.get());
        if (conn && cancel->requested) {  // the client left as the connect completed
          ep.release(std::move(conn), false);
          break;
        }
        if (!conn) {
          r.timed_out = ec == beast::error::timeout;
          r.connect_failed = true;
          r.error = r.timed_out ? "connect timed out" : ec.message();
          break;
        }
        reused = false;
      }
      r = upstream_reply{};
      bool silent = false, written = false;
      auto sent_at = std::chrono::steady_clock::now();
      bool keep = co_await std::visit(
          [&](auto& s) {
            return exchange_once(s, *conn, head, body, o, r, silent, written, *cancel);
          },
          conn->stream);
      bool ok = r.error.empty();
      ep.release(std::move(conn), ok && keep);
      if (cancel->requested) break;
      // A pooled connection the upstream had closed: one retry on a fresh one, where the
      // upstream cannot have acted on the request (not written whole, a GET, or the keep-alive
      // race). A delete or a copy must not be repeated once it may have.
      bool safe = !written || method == http::verb::get ||
                  std::chrono::steady_clock::now() - sent_at < keepalive_race_window;
      if (ok || !reused || !silent || !safe) break;
      ep.stats().stale_retries.fetch_add(1, std::memory_order_relaxed);
    }
  } catch (const std::exception& e) {
    r.status = 0;
    r.error = e.what();
  }
  if (cancel->requested) {
    r = upstream_reply{};
    r.cancelled = true;
    r.error = "the client left";
  }
  co_return r;
}

net::awaitable<std::vector<upstream_reply>> call_all(std::vector<net::awaitable<upstream_reply>> calls) {
  auto ex = co_await net::this_coro::executor;
  auto g = std::make_shared<gathering>(ex, calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i)
    net::co_spawn(ex, collect(g, i, std::move(calls[i])), log_failure{"upstream call"});
  if (g->left > 0) {
    g->done.expires_at(net::steady_timer::time_point::max());
    co_await g->done.async_wait(use_nothrow);
  }
  co_return std::move(g->replies);
}

}  // namespace sb
