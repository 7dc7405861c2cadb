#include "http/server/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <optional>
#include <unordered_map>
#include <utility>

#include "http/server/client_reader.hpp"
#include "http/server/field_value.hpp"
#include "http/server/log_failure.hpp"
#include "http/server/memory_budget.hpp"
#include "http/server/op_deadline.hpp"
#include "http/server/parse_feed.hpp"
#include "http/server/request_head_checks.hpp"
#include "http/server/request_log.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// A session of this I/O thread waiting for its next request, registered while it waits however
// the wait ends: a drain closes such sessions at once, and at the connection cap the longest
// idle one makes room for a new connection. Linked in the order they began to wait, so the
// longest idle is the first; no allocation per wait.
struct idle_registration {
  beast::tcp_stream& stream;
  client_reader* reader;  // the session's, which park() ends the wait of (none while lingering)
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  idle_registration* prev = nullptr;
  idle_registration* next = nullptr;
  bool linked = true;
  explicit idle_registration(beast::tcp_stream& s, client_reader* r = nullptr);
  ~idle_registration() { unlink(); }
  idle_registration(const idle_registration&) = delete;
  idle_registration& operator=(const idle_registration&) = delete;
  void unlink();
};

struct idle_list {
  idle_registration* first = nullptr;
  idle_registration* last = nullptr;
  // Where the parking sweep goes on: those before it were parked (they stay first until their
  // connection wakes), so a sweep never walks the parked again.
  idle_registration* first_unswept = nullptr;
};
thread_local idle_list idle_sessions;

idle_registration::idle_registration(beast::tcp_stream& s, client_reader* r)
    : stream(s), reader(r), prev(idle_sessions.last) {
  (prev ? prev->next : idle_sessions.first) = this;
  idle_sessions.last = this;
  if (!idle_sessions.first_unswept) idle_sessions.first_unswept = this;
}

void idle_registration::unlink() {
  if (!std::exchange(linked, false)) return;
  if (idle_sessions.first_unswept == this) idle_sessions.first_unswept = next;
  (prev ? prev->next : idle_sessions.first) = next;
  (next ? next->prev : idle_sessions.last) = prev;
}

// Closes the longest idle session of this thread; false when none is idle.
bool close_longest_idle() {
  auto* oldest = idle_sessions.first;
  if (!oldest) return false;
  // Closed, not only cancelled: a read whose data had already arrived completes regardless of a
  // cancel, and a lingering session reading a client that sends without end would go on.
  oldest->stream.close();
  oldest->unlink();
  return true;
}

// One warning per interval however often it happens, with how often it did meanwhile: at a limit
// the same event repeats thousands of times a second.
struct rate_limited_warning {
  std::chrono::steady_clock::time_point last{};
  std::uint64_t suppressed = 0;
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... args) {
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(10)) {
      ++suppressed;
      return;
    }
    spdlog::warn("{} ({} more like it since the last warning)",
                 fmt::format(f, std::forward<Args>(args)...), suppressed);
    last = now;
    suppressed = 0;
  }
};

// After rejecting a request whose bytes are still arriving, stop sending and read what is left
// before closing: closing with unread data makes the kernel send a reset that can destroy the
// answer before the client reads it, and many clients (Python's http.client, requests) read
// nothing until they have sent their whole body. As nginx's lingering close: no byte limit, but
// at most 30 s in all and 5 s without a byte; the session counts as idle meanwhile, so the
// connection cap and a drain may close it at once.
net::awaitable<void> linger_close(beast::tcp_stream& stream) {
  constexpr auto at_most = std::chrono::seconds(30);
  constexpr auto quiet_gap = std::chrono::seconds(5);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  // What is read is dropped: every lingering session of the thread may share one sink.
  thread_local std::array<char, 65536> sink;
  idle_registration evictable(stream);
  auto until = std::chrono::steady_clock::now() + at_most;
  for (auto now = std::chrono::steady_clock::now(); now < until;
       now = std::chrono::steady_clock::now()) {
    stream.expires_after(std::min<std::chrono::steady_clock::duration>(quiet_gap, until - now));
    auto [rec, n] = co_await stream.async_read_some(net::buffer(sink), use_nothrow);
    if (rec) break;
  }
}

// Refuses the request being read with `e` and closes the connection (lingering, as above): the
// one way a session answers a request it will not route.
net::awaitable<void> refuse_and_close(beast::tcp_stream& stream, op_deadline& deadline,
                                      gateway_error e, std::string message) {
  session_io s{stream, 11, false, false, nullptr, &deadline};
  co_await send_error(s, e, message);
  co_await linger_close(stream);
}

// The record stage (ACCESS_LOG): what the session knows of a request before and after its route
// ran; the router, the relay and the writes fill in the rest through session_io::record.
void start_record(const client_request& req, std::chrono::steady_clock::time_point started,
                  request_record& r) {
  r.started = started;
  r.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  r.method = http::to_string(req.method());
  r.bytes_in = req.body().size();
}

void finish_record(runtime& rt, request_record& r, const handled& answer) {
  r.status = answer.status;
  r.cancelled = r.cancelled || answer.status == 499;
  r.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - r.started)
                      .count();
  note_request(rt, std::move(r));
}

void count_answer(route_stats& stats, const handled& answer,
                  std::chrono::steady_clock::time_point started) {
  stats.requests.fetch_add(1, std::memory_order_relaxed);
  if (answer.status >= 400) stats.errors.fetch_add(1, std::memory_order_relaxed);
  stats.latency.observe_since(started);
}

// A request head with an Expect field. Any expectation but 100-continue gets 417. 100-continue,
// when the body has not started to arrive (`body_to_come`), is answered only when the route will
// read the body; a head its route refuses (no such route, no credentials) is answered at once
// instead, and the connection closed, so the client never sends the body. True when the request
// goes on.
net::awaitable<bool> honour_expect(beast::tcp_stream& stream, op_deadline& deadline,
                                   http::request_parser<growing_string_body>& parser, runtime& rt,
                                   request_handler& r, std::string_view expect,
                                   bool body_to_come) {
  if (!beast::iequals(expect, "100-continue")) {
    rt.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
    co_await refuse_and_close(stream, deadline, gateway_error::expectation_failed,
                              "Expect: only 100-continue is understood");
    co_return false;
  }
  if (!body_to_come) co_return true;
  auto started = std::chrono::steady_clock::now();
  auto& head = parser.get();
  session_io s{stream, head.version(), false, head.method() == http::verb::head, nullptr,
               &deadline};
  route_stats* counted_in = nullptr;
  if (auto refused = co_await r.refuse_head(s, head, counted_in)) {
    count_answer(*counted_in, *refused, started);
    co_await linger_close(stream);
    co_return false;
  }
  // curl and others wait (about a second) for this before sending a body over 1 KiB.
  static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
  deadline.arm(stream.socket(), rt.cfg.client_idle_timeout);
  auto [wec, wn] = co_await net::async_write(stream, net::buffer(go_on), use_nothrow);
  co_return !deadline.settle(wec);
}

// What a request that could not be read is answered: none when the client left or went quiet.
std::optional<head_problem> read_failure_answer(const beast::error_code& hec) {
  if (hec == beast::error::timeout || hec == http::error::end_of_stream ||
      hec == net::error::eof || hec == net::error::connection_reset)
    return std::nullopt;
  if (hec == http::error::header_limit)
    return head_problem{gateway_error::headers_too_large, "request headers are too large"};
  if (hec == http::error::body_limit)
    return head_problem{gateway_error::payload_too_large, "request body is too large"};
  return head_problem{gateway_error::bad_request, "malformed HTTP request: " + hec.message()};
}

// One request of a session, its first bytes buffered: read (the head within the header timeout),
// checked, answered. False when the connection is to close. A coroutine of its own, so that what
// a request needs (parser, record, route state) lives only while it is served: an idle
// connection holds the session's small frame alone.
net::awaitable<bool> serve_request(beast::tcp_stream& stream, op_deadline& deadline,
                                   client_reader& reader, runtime& rt, request_handler& r) {
  auto& buffer = reader.buffer;
  http::request_parser<growing_string_body> parser;
  parser.header_limit(rt.cfg.max_request_header);
  parser.body_limit(rt.cfg.max_request_body);
  // Not eager until the head is checked: with eager parsing, one put() would run on into the
  // body (and a chunked body's trailer fields) before the head's own fields are counted.
  auto header_deadline = std::chrono::steady_clock::now() + rt.cfg.client_header_timeout;
  auto hec = co_await feed_parser(
      stream, buffer, parser, [](auto& p) { return p.is_header_done(); }, header_deadline,
      deadline, rt.cfg.max_request_header);
  if (!hec) {
    if (auto problem = check_request_head(parser, rt.cfg.max_header_fields)) {
      rt.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
      co_await refuse_and_close(stream, deadline, problem->error, std::move(problem->message));
      co_return false;
    }
  }
  // A chunked body may end in trailer fields, which Beast adds to the head: the head's own
  // fields are noted here, the rest checked once the body is read (only chunked requests pay).
  std::vector<const void*> head_fields;
  if (!hec && parser.chunked()) head_fields = head_field_ids(parser.get());
  parser.eager(true);
  // (An HTTP/1.0 request's expectation is ignored: RFC 9110 §10.1.1.)
  if (!hec && parser.get().version() >= 11)
    if (auto expect = field_value(parser.get(), http::field::expect); !expect.empty())
      if (!co_await honour_expect(stream, deadline, parser, rt, r, expect,
                                  !parser.is_done() && buffer.size() == 0))
        co_return false;
  // The body counts against the process-wide budget as it arrives.
  budget_lease body_lease(rt.buffers);
  bool over_budget = false;
  body_within_budget body_done{&body_lease, &over_budget};
  if (!hec)
    hec = co_await feed_parser(stream, buffer, parser, body_done, rt.cfg.client_idle_timeout,
                               deadline, rt.cfg.max_request_header);
  if (!hec && !over_budget && !head_fields.empty()) {
    if (auto problem = drop_trailer_fields(parser, head_fields, rt.cfg.max_header_fields,
                                           rt.cfg.max_request_header)) {
      rt.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
      co_await refuse_and_close(stream, deadline, problem->error, std::move(problem->message));
      co_return false;
    }
  }
  if (!hec && over_budget) {
    // Nothing was forwarded: the client may send it again shortly (Retry-After).
    rt.metrics.overloaded.fetch_add(1, std::memory_order_relaxed);
    co_await refuse_and_close(
        stream, deadline, gateway_error::overloaded,
        std::string("the gateway is holding as many request bytes as it may; retry shortly"));
    co_return false;
  }
  auto started = std::chrono::steady_clock::now();
  if (hec) {
    if (auto refusal = read_failure_answer(hec)) {
      rt.metrics.bad_requests.fetch_add(1, std::memory_order_relaxed);
      co_await refuse_and_close(stream, deadline, refusal->error, std::move(refusal->message));
    }
    co_return false;
  }
  auto req = parser.release();
  reader.start();  // the next request's read, and meanwhile the watch for a leaving client
  session_io s{stream,
               req.version(),
               req.keep_alive() && !rt.draining.load(std::memory_order_relaxed),
               req.method() == http::verb::head,
               &reader,
               &deadline};
  route_stats* counted_in = nullptr;
  // Made only when the record stage runs: for its readers (the access log, usage), or for the
  // admit stage, which settles a request's reservation with the usage its record carries.
  std::optional<request_record> record;
  if (rt.request_log || rt.limits_active.load(std::memory_order_relaxed)) {
    s.record = &record.emplace();
    start_record(req, started, *record);
  }
  auto answer = co_await r.handle(s, req, counted_in);
  count_answer(*counted_in, answer, started);
  if (record && rt.request_log) finish_record(rt, *record, answer);
  co_return answer.keep_alive;
}

// A client connection and what outlives any one coroutine serving it: the session's coroutine
// ends while the connection is parked (long idle), and a new one picks the connection up.
struct client_connection {
  // Counted by a guard so the gauge stays right however the connection ends.
  struct count_guard {
    std::atomic<std::int64_t>& n;
    explicit count_guard(std::atomic<std::int64_t>& c) : n(c) {
      n.fetch_add(1, std::memory_order_relaxed);
    }
    ~count_guard() { n.fetch_sub(1, std::memory_order_relaxed); }
    count_guard(const count_guard&) = delete;
    count_guard& operator=(const count_guard&) = delete;
  } counted;
  beast::tcp_stream stream;
  op_deadline deadline;
  std::shared_ptr<client_reader> reader;
  std::optional<idle_registration> idle;  // while it waits for its next request

  client_connection(tcp::socket socket, runtime& rt)
      : counted(rt.metrics.open_connections),
        stream(std::move(socket)),
        reader(std::make_shared<client_reader>(stream)) {}
  ~client_connection() { reader->detach(); }
  client_connection(const client_connection&) = delete;
  client_connection& operator=(const client_connection&) = delete;
};

// Parked connections of this I/O thread, owned here while no coroutine serves them (owned by
// the thread, not by their own pending read, so that none outlives the thread as a cycle).
thread_local std::unordered_map<client_connection*, std::shared_ptr<client_connection>> parked;

net::awaitable<void> run_session(std::shared_ptr<client_connection> conn, runtime& rt,
                                 request_handler& r);

// Gives up the session's coroutine and frames; its next read's completion starts a new one.
void park_session(std::shared_ptr<client_connection> conn, runtime& rt, request_handler& r) {
  auto* key = conn.get();
  rt.metrics.parked_connections.fetch_add(1, std::memory_order_relaxed);
  conn->reader->resume_with([key, rt = &rt, r = &r] {
    auto it = parked.find(key);
    if (it == parked.end()) return;
    rt->metrics.parked_connections.fetch_sub(1, std::memory_order_relaxed);
    auto owned = std::move(it->second);
    parked.erase(it);
    auto ex = owned->stream.get_executor();
    net::co_spawn(ex, run_session(std::move(owned), *rt, *r), log_failure{"client session"});
  });
  parked.emplace(key, std::move(conn));
}

net::awaitable<void> run_session(std::shared_ptr<client_connection> conn, runtime& rt,
                                 request_handler& r) {
  auto& reader = *conn->reader;
  auto& buffer = reader.buffer;
  for (;;) {
    // Wait for the next request as long as an idle keep-alive connection may stay; once its first
    // byte is here, the whole header must arrive within the header timeout (slowloris).
    if (buffer.size() == 0 || reader.has_result()) {
      // (A session resumed from parking first collects its read, which settles its deadline.)
      if (buffer.size() == 0 && !reader.has_result() && rt.draining.load(std::memory_order_relaxed))
        break;
      if (!conn->idle) conn->idle.emplace(conn->stream, &reader);
      co_await reader.wait(rt.cfg.client_idle_timeout, conn->deadline);
      if (reader.parked()) {
        park_session(std::move(conn), rt, r);
        co_return;
      }
      conn->idle.reset();
      if (buffer.size() == 0) break;  // closed, failed or idle too long, with nothing to answer
    }
    if (!co_await serve_request(conn->stream, conn->deadline, reader, rt, r)) break;
  }
  beast::error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Parks the sessions of this I/O thread idle for park_after or longer, every park_after: an idle
// keep-alive connection then holds its socket and little else (a waiting coroutine holds its
// frames). A connection in use waits less than that between requests and is never parked.
net::awaitable<void> park_idle_sessions() {
  constexpr auto park_after = std::chrono::milliseconds(500);
  net::steady_timer timer(co_await net::this_coro::executor);
  for (;;) {
    timer.expires_after(park_after);
    auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec) co_return;
    auto before = std::chrono::steady_clock::now() - park_after;
    // In the order they began to wait: the first not idle long enough ends the walk. park()
    // runs the session on to its end here; its registration stays, with its connection.
    for (auto*& idle = idle_sessions.first_unswept; idle && idle->since <= before;) {
      auto* next = idle->next;
      if (idle->reader && !idle->reader->parked()) idle->reader->park();
      idle = next;
    }
  }
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, runtime& rt, request_handler& r) {
  rate_limited_warning accept_failed, at_cap;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      // EMFILE and friends: back off briefly instead of spinning on the error.
      accept_failed.warn("accept failed: {}", ec.message());
      net::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(use_nothrow);
      continue;
    }
    if (rt.metrics.open_connections.load(std::memory_order_relaxed) >=
            static_cast<std::int64_t>(rt.cfg.max_connections) &&
        !close_longest_idle()) {
      // Every connection is busy: refuse this one at once rather than let descriptors run out.
      rt.metrics.refused_connections.fetch_add(1, std::memory_order_relaxed);
      at_cap.warn("connection limit of {} reached (MAX_CONNECTIONS): new connections are closed",
                  rt.cfg.max_connections);
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(acceptor.get_executor(),
                  run_session(std::make_shared<client_connection>(std::move(socket), rt), rt, r),
                  log_failure{"client session"});
  }
}

}  // namespace

server::server(runtime& rt, request_handler& handler) : rt_(rt), handler_(handler) {}

bool server::listen(const std::string& host, std::uint16_t port, std::string& error) {
  boost::system::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) {
    error = "invalid host '" + host + "': expected an IP address";
    return false;
  }
  tcp::endpoint ep(addr, port);
  auto first = std::make_unique<tcp::acceptor>(rt_.io.context(0));
  first->open(ep.protocol(), ec);
  if (!ec) first->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) first->bind(ep, ec);
  if (!ec) first->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    return false;
  }
  port_ = first->local_endpoint().port();
  acceptors_.push_back(std::move(first));
  // The other threads accept on duplicates of the same listening socket: whichever thread is
  // free takes the connection, and no connection is handed between threads.
  for (unsigned i = 1; i < rt_.io.size(); ++i) {
    int fd = ::dup(acceptors_[0]->native_handle());
    if (fd < 0) {
      error = "cannot share the listening socket";
      return false;
    }
    acceptors_.push_back(std::make_unique<tcp::acceptor>(rt_.io.context(i), ep.protocol(), fd));
  }
  return true;
}

void server::start() {
  for (auto& a : acceptors_) {
    net::co_spawn(a->get_executor(), accept_loop(*a, rt_, handler_), log_failure{"accept loop"});
    net::co_spawn(a->get_executor(), park_idle_sessions(), log_failure{"session parking"});
  }
}

void server::close_idle_sessions() {
  for (unsigned i = 0; i < rt_.io.size(); ++i)
    net::post(rt_.io.context(i), [] {
      // (closed, as in close_longest_idle)
      for (auto* idle = idle_sessions.first; idle; idle = idle->next) idle->stream.close();
    });
}

void server::stop_accepting() {
  for (auto& a : acceptors_)
    net::post(a->get_executor(), [acc = a.get()] {
      boost::system::error_code ignored;
      acc->close(ignored);
    });
}

}  // namespace sb
