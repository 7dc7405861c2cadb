#include "http/upstream/upstream_relay.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <cassert>
#include <charconv>
#include <chrono>
#include <optional>

#include "http/server/field_value.hpp"
#include "http/server/memory_budget.hpp"
#include "http/server/op_deadline.hpp"
#include "http/server/parse_feed.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/answer_headers.hpp"
#include "http/upstream/outcome_batcher.hpp"
#include "http/upstream/providers/provider_adapter.hpp"
#include "http/upstream/stream_pump.hpp"
#include "http/upstream/token_usage.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_error.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
constexpr std::uint64_t whole_body_max = 64ull * 1024 * 1024;  // largest non-streamed answer
// An answer's head, and any chunk header or trailer section of its body, at most.
constexpr std::size_t upstream_head_max = 64 * 1024;

using head_parser = http::response_parser<http::empty_body>;

bool looks_like_json(const std::string& body) {
  for (char c : body) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{' || c == '[';
  }
  return false;
}

// The request's total ran out (UPSTREAM_TOTAL_TIMEOUT, or the stream's), said plainly.
std::string total_timeout_message(const exchange_context& c, bool stream) {
  auto d = stream ? c.rt.cfg.upstream_stream_total_timeout : c.rt.cfg.upstream_total_timeout;
  return fmt::format("{} did not finish its answer within {:g} s ({})", connection_name(c.ep),
                     std::chrono::duration<double>(d).count(),
                     stream ? "UPSTREAM_STREAM_TOTAL_TIMEOUT" : "UPSTREAM_TOTAL_TIMEOUT");
}

// Nothing came for the idle timeout in the middle of an answer.
std::string idle_timeout_message(const exchange_context& c) {
  return fmt::format("{} sent nothing more for {:g} s (UPSTREAM_IDLE_TIMEOUT)",
                     connection_name(c.ep),
                     std::chrono::duration<double>(c.rt.cfg.upstream_idle_timeout).count());
}

// Why a whole answer's body ran out of time: its total, or the idle timeout between reads.
std::string body_timeout_message(const exchange_context& c, bool within_total) {
  if (within_total && c.rt.cfg.upstream_total_timeout.count() > 0)
    return total_timeout_message(c, false);
  return idle_timeout_message(c);
}

bool idempotent(http::verb m) {
  return m == http::verb::get || m == http::verb::head || m == http::verb::options;
}

// The request was written whole and the connection ended without an answer.
std::string unanswered_message(const exchange_context& c, const error_code& ec) {
  return fmt::format(
      "{} ended the connection ({}) after receiving the request, without answering; it was not "
      "sent again, since the upstream may have acted on it",
      connection_name(c.ep), ec.message());
}

// Ends an attempt that failed before any answer reached the client.
net::awaitable<exchange_result> fail(exchange_context& c, const error_code& ec,
                                     std::string message = std::string()) {
  exchange_result r;
  stop_watch(c.s);
  if (c.w.requested) {
    c.rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
    r.answer = {499, false};
    co_return r;
  }
  c.ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
  c.outcome = ec == beast::error::timeout ? request_outcome::timeout : request_outcome::reset;
  if (message.empty()) message = describe_failure(c.ep, ec, c.rt);
  r.answer = co_await send_error(c.s, classify_failure(ec), message);
  co_return r;
}

// A pooled connection turned out closed before any answer: the attempt goes again on a new one.
exchange_result retry_on_fresh() {
  exchange_result r;
  r.retry_fresh = true;
  return r;
}

// An attempt that failed before any answer, given back for another connection.
exchange_result handed_back_result(exchange_context& c, request_outcome o, unsigned status = 0) {
  exchange_result r;
  r.hand_back = true;
  c.outcome = o;
  c.upstream_status = status;
  return r;
}

// Retry-After in seconds (a date is taken as a second), capped at five minutes.
std::chrono::milliseconds retry_after_of(std::string_view v) {
  unsigned seconds = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc{} || p == v.data()) seconds = 1;
  return std::chrono::milliseconds(std::min(seconds, 300u) * 1000ull);
}

// Step 1: the request head and body, in one gathered write (the caller settles the deadline).
// Not a coroutine of its own: a coroutine frame per step costs a few hundred instructions.
template <class Stream>
auto send_request(exchange_context& c, Stream& up, const std::string& head,
                  const std::string& body) {
  c.s.deadline->arm(beast::get_lowest_layer(up).socket(), c.rt.cfg.upstream_first_byte_timeout);
  std::array<net::const_buffer, 2> out{net::buffer(head), net::buffer(body)};
  return net::async_write(up, out, use_nothrow);  // the buffer sequence is copied into the op
}

// Step 2: the final response head, interim (1xx) answers skipped (classify_head). Time to the
// first byte is a total deadline from the request, not an idle timeout per read. `silent` tells
// whether the upstream sent nothing at all before failing (a pooled connection it had closed).
template <class Stream>
net::awaitable<error_code> read_final_head(exchange_context& c, Stream& up,
                                           std::optional<head_parser>& hp, bool& silent,
                                           std::chrono::steady_clock::time_point deadline) {
  for (int interim = 0;; ++interim) {
    bool first = !hp;
    hp.emplace();
    hp->header_limit(upstream_head_max);
    // The body's size is the next step's to judge (a whole answer may be 64 MiB; a stream has
    // no limit): Beast's default would refuse a head declaring more than 8 MB.
    hp->body_limit(boost::none);
    if (auto ec = co_await feed_parser(
            up, c.conn.buffer, *hp, [](auto& p) { return p.is_header_done(); }, deadline,
            *c.s.deadline, upstream_head_max)) {
      silent = first && !hp->got_some();
      co_return ec;
    }
    auto kind = classify_head(hp->get().result_int(), interim);
    if (kind == head_kind::final) co_return error_code{};
    if (kind == head_kind::refused) co_return http::error::bad_status;
  }
}

// Step 3b: an answer that is not streamed, read whole (within the memory budget) and answered:
// an upstream error in the route's dialect, a success as it came.
template <class Stream>
net::awaitable<exchange_result> answer_whole(exchange_context& c, Stream& up, head_parser& hp,
                                             bool json_answer, bool within_total,
                                             stream_hook* hook) {
  exchange_result r;
  auto status = hp.get().result_int();
  auto content_type = field_value(hp.get(), http::field::content_type);
  std::string type = content_type.empty() ? "application/json" : std::string(content_type);
  http::response_parser<growing_string_body> sp{std::move(hp)};
  sp.body_limit(whole_body_max);
  sp.eager(true);
  if (c.w.requested) co_return co_await fail(c, net::error::operation_aborted);
  // Beast checks a declared length against the limit only as the head ends, which the head's
  // own parser (no limit) did: checked here instead.
  bool declared_too_long = sp.content_length() && *sp.content_length() > whole_body_max;
  budget_lease body_lease(c.rt.buffers);
  bool over_budget = false;
  // Idle between reads; or, with UPSTREAM_TOTAL_TIMEOUT, the whole answer from the request on
  // (a request that asked to stream and got a whole answer has the stream's limits instead).
  auto total = c.rt.cfg.upstream_total_timeout;
  error_code ec;
  body_within_budget body_done{&body_lease, &over_budget};
  if (declared_too_long)
    ec = http::error::body_limit;  // not read: the connection is closed with it
  else if (within_total && total.count() > 0)
    ec = co_await feed_parser(up, c.conn.buffer, sp, body_done, c.started + total, *c.s.deadline,
                              upstream_head_max);
  else
    ec = co_await feed_parser(up, c.conn.buffer, sp, body_done, c.rt.cfg.upstream_idle_timeout,
                              *c.s.deadline, upstream_head_max);
  if (over_budget) {
    stop_watch(c.s);
    c.rt.metrics.overloaded.fetch_add(1, std::memory_order_relaxed);
    r.answer = co_await send_error(
        c.s, gateway_error::overloaded,
        "the gateway is holding as many answer bytes as it may; retry shortly");
    co_return r;
  }
  if (ec == http::error::body_limit) {
    stop_watch(c.s);
    c.ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
    r.answer = co_await send_error(
        c.s, gateway_error::upstream_bad_response,
        fmt::format("{} answered more than {} bytes", connection_name(c.ep), whole_body_max));
    co_return r;
  }
  if (ec == beast::error::timeout && !c.w.requested) {
    // Named first: g++ 12 double-frees a ?: temporary inside a co_await expression.
    std::string message = body_timeout_message(c, within_total);
    co_return co_await fail(c, ec, std::move(message));
  }
  if (ec) co_return co_await fail(c, ec);
  stop_watch(c.s);
  r.reusable = sp.keep_alive();
  auto msg = sp.release();
  // Read before a hook rewrites it: the provider's own fields say what it used.
  if (c.s.record && status < 400) note_usage(*c.s.record, whole_answer_usage(msg.body()));
  if (status >= 500) c.ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
  // The upstream's own fields pass with its answer (Retry-After, x-request-id, rate limits);
  // a success that is not what was asked for is the gateway's own error, with none of them.
  // A hook (the unified routes' conversion) rewrites a success; one it cannot read is refused.
  bool refused = status < 400 && ((json_answer && !looks_like_json(msg.body())) ||
                                  (hook && !hook->on_whole(msg.body(), type)));
  std::string passed;
  if (!refused)
    append_passed_headers(passed, msg, status >= 400 ? answer_body::rewritten : answer_body::as_is,
                          false, c.ep.secrets());
  if (status >= 400) {
    auto [code, body] = upstream_error_answer(status, msg.body(), c.ep, c.s.dialect);
    r.answer = co_await send_body(c.s, code, std::move(body), "application/json", passed);
  } else if (refused) {
    c.ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
    r.answer = co_await send_error(
        c.s, gateway_error::upstream_bad_response,
        fmt::format("{} returned a body that is not JSON", connection_name(c.ep)));
  } else {
    r.answer = co_await send_body(c.s, static_cast<http::status>(status), std::move(msg.body()),
                                  type, passed);
  }
  co_return r;
}

// One attempt on one connection: the steps in order.
template <class Stream>
net::awaitable<exchange_result> exchange(exchange_context& c, Stream& up, const std::string& head,
                                         const upstream_request& req, bool reused) {
  watch_scope watching(c.w, &beast::get_lowest_layer(up));
  // A request goes again only where the upstream cannot have acted on it: on a pooled
  // connection that failed before a byte of answer, when the request was not written whole, or
  // asks for nothing to change (GET), or the failure came at once (the keep-alive race: the
  // upstream closed the idle connection as the request went out). Once, on a fresh connection.
  auto stale = [&](const error_code& ec, bool silent, bool written_whole) {
    return reused && silent && !c.w.requested && ec != beast::error::timeout &&
           (!written_whole || idempotent(req.method) ||
            std::chrono::steady_clock::now() - c.started < keepalive_race_window);
  };
  // A connection that broke while the request was being written (not a timeout: the upstream
  // may still be working on it) may go to another connection when nothing reached the client.
  auto broken = [&](const error_code& ec) {
    return c.may_hand_back && !c.w.requested && ec != beast::error::timeout;
  };
  auto [write_ec, written] = co_await send_request(c, up, head, req.body);
  if (auto ec = c.s.deadline->settle(write_ec)) {
    if (stale(ec, true, false)) co_return retry_on_fresh();
    if (broken(ec)) co_return handed_back_result(c, request_outcome::reset);
    co_return co_await fail(c, ec);
  }
  if (c.w.requested) co_return co_await fail(c, net::error::operation_aborted);
  std::optional<head_parser> hp;
  bool silent = false;
  // The first byte within its own timeout, and within the request's total when one is set.
  auto head_deadline = c.started + c.rt.cfg.upstream_first_byte_timeout;
  auto total = req.wants_stream ? c.rt.cfg.upstream_stream_total_timeout
                                : c.rt.cfg.upstream_total_timeout;
  if (total.count() > 0) head_deadline = std::min(head_deadline, c.started + total);
  if (auto ec = co_await read_final_head(c, up, hp, silent, head_deadline)) {
    if (stale(ec, silent, true)) co_return retry_on_fresh();
    // Written whole, then silence, a close or a reset: only a request that changes nothing goes
    // elsewhere (nginx's non_idempotent off). A generation sent twice is billed twice.
    if (broken(ec) && idempotent(req.method)) co_return handed_back_result(c, request_outcome::reset);
    if (ec == beast::error::timeout && head_deadline < c.started + c.rt.cfg.upstream_first_byte_timeout)
    {
      std::string message = total_timeout_message(c, req.wants_stream);
      co_return co_await fail(c, ec, std::move(message));
    }
    if (classify_failure(ec) == gateway_error::upstream_unreachable && !c.w.requested &&
        !idempotent(req.method)) {
      std::string message = unanswered_message(c, ec);
      co_return co_await fail(c, ec, std::move(message));
    }
    co_return co_await fail(c, ec);
  }
  // Step 3, the decision point: the final head is here and nothing has reached the client yet.
  auto head_at = std::chrono::steady_clock::now();
  auto status = hp->get().result_int();
  auto status_outcome = status >= 500   ? request_outcome::server_error
                        : status == 429 ? request_outcome::throttled
                                        : request_outcome::answered;
  if (status_outcome == request_outcome::answered) c.ep.mark_answering();
  if (status == 429) {
    // The model is left alone here while its Retry-After runs (a second without one): routing
    // passes it over, and when every holder of it is throttled the client hears so at once.
    c.retry_after = retry_after_of(field_value(hp->get(), http::field::retry_after));
    c.ep.throttle_for(req.model, std::max(c.retry_after, std::chrono::milliseconds(1000)));
  }
  if (status_outcome != request_outcome::answered && c.may_hand_back && !c.w.requested) {
    c.head_at = head_at;
    co_return handed_back_result(c, status_outcome, status);  // its unread answer is closed with it
  }
  auto otherwise = req.wants_stream ? c.ep.adapter().default_stream_framing() : framing::whole;
  auto f = status < 400 ? framing_of(field_value(hp->get(), http::field::content_type), otherwise)
                        : framing::whole;
  exchange_result r;
  if (f != framing::whole)
    r = co_await pump_stream(c, up, *hp, f, req.hook, req.dialect);
  else
    r = co_await answer_whole(c, up, *hp, req.json_answer, !req.wants_stream, req.hook);
  c.head_at = head_at;
  c.upstream_status = status;
  if (!c.outcome) c.outcome = status_outcome;
  co_return r;
}

// Counts a request in flight on this thread's view of a connection while it lives. Only this
// thread writes the counter: a plain load and store, no locked instruction.
struct in_flight_scope {
  explicit in_flight_scope(connection_load& l) : load(l) {
    load.in_flight.store(load.in_flight.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  }
  ~in_flight_scope() {
    home.check("a request's in-flight count ended off the I/O thread it began on");
    load.in_flight.store(load.in_flight.load(std::memory_order_relaxed) - 1,
                         std::memory_order_relaxed);
  }
  in_flight_scope(const in_flight_scope&) = delete;
  in_flight_scope& operator=(const in_flight_scope&) = delete;
  connection_load& load;
  [[no_unique_address]] home_thread home;
};

// How long a failure weighs in the latency average: a connection that fails fast must not look
// fast (it would draw the traffic of every latency-aware policy).
constexpr double failure_penalty_us = 1'000'000.0;

// What an attempt says of its connection: its outcome (for health, batched to the actor) and its
// time to the first answer byte (for the latency-aware policies).
void record_attempt(runtime& rt, const std::shared_ptr<upstream_endpoint>& ep,
                    std::chrono::steady_clock::time_point started, request_outcome outcome,
                    std::chrono::steady_clock::time_point head_at, std::uint32_t epoch) {
  if (outcome == request_outcome::cancelled && head_at == std::chrono::steady_clock::time_point{})
    return;  // the client left before the upstream said anything: nothing learnt
  auto& load = ep->load_here();
  if (outcome == request_outcome::answered || outcome == request_outcome::throttled ||
      outcome == request_outcome::cancelled) {
    // Observed as of the first byte: no clock read of its own.
    load.observe(head_at, std::chrono::duration<double, std::micro>(head_at - started).count());
  } else {
    auto now = std::chrono::steady_clock::now();
    double took = std::chrono::duration<double, std::micro>(now - started).count();
    load.observe(now, std::max(took, failure_penalty_us));
  }
  // An answer to a request sent before the connection was last ejected is old news.
  if (outcome == request_outcome::answered && epoch != ep->health_epoch()) return;
  record_outcome(rt, ep, outcome);
}

// The answer when no connection could be opened.
net::awaitable<handled> answer_unreachable(session_io& s, upstream_endpoint& ep,
                                           const error_code& ec) {
  auto e = ec == beast::error::timeout ? gateway_error::upstream_timeout
                                       : gateway_error::upstream_unreachable;
  auto why = ec == beast::error::timeout       ? std::string("connect timed out")
             : ec == net::error::access_denied ? std::string("its address is not allowed")
                                               : ec.message();
  co_return co_await send_error(s, e,
                                fmt::format("{} is unreachable: {}", connection_name(ep), why));
}

}  // namespace

std::unordered_set<client_watch*>& open_streams() {
  thread_local std::unordered_set<client_watch*> streams;
  return streams;
}

void cut_open_streams(runtime& rt) {
  for (unsigned i = 0; i < rt.io.size(); ++i)
    net::post(rt.io.context(i), [] {
      for (auto* w : open_streams()) w->shut_down();
    });
}

net::awaitable<handled> relay_to_upstream(session_io& s, runtime& rt,
                                          std::shared_ptr<upstream_endpoint> ep,
                                          upstream_request req, handed_back* unsent) {
  auto started = std::chrono::steady_clock::now();
  // A provider that rewrites requests (Azure) gets its own copy: should it be handed back, the
  // request goes back unrewritten, for a connection that may be another provider. On the heap:
  // in the frame it would push the frame past the ~1 KiB Asio recycles, and every request would
  // pay a malloc for it (callgrind: ~430 instructions).
  std::unique_ptr<upstream_request> rewritten;
  if (ep->adapter().rewrites_requests()) {
    rewritten = std::make_unique<upstream_request>(req);
    ep->adapter().rewrite_request(*ep->settings(), req.model, rewritten->path, rewritten->body);
  }
  const upstream_request& sent = rewritten ? *rewritten : req;
  const auto head =
      ep->request_head(sent.method, sent.path, sent.content_type, sent.accept, sent.body.size(),
                       sent.caller.get());
  ep->stats().requests.fetch_add(1, std::memory_order_relaxed);
  if (s.record) {
    s.record->connection = ep->id();
    ++s.record->attempts;
  }
  in_flight_scope in_flight(ep->load_here());
  const auto epoch = ep->health_epoch();
  auto w = std::make_shared<client_watch>();
  start_watch(s, w);
  std::optional<handled> answer;
  request_outcome outcome = request_outcome::cancelled;
  std::chrono::steady_clock::time_point head_at{};
  for (int attempt = 0; attempt < 2 && !answer; ++attempt) {
    // A pooled connection first; the retry always opens a fresh one (the next pooled one may be
    // as dead as the first: after an upstream restart they all are).
    auto conn = attempt == 0 ? ep->take_idle() : nullptr;
    bool reused = conn != nullptr;
    error_code ec;
    if (!conn) conn = co_await ep->connect(ec, w.get());
    if (!conn) {
      stop_watch(s);
      if (w->requested) {
        rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
        answer = handled{499, false};
        break;
      }
      ep->stats().errors.fetch_add(1, std::memory_order_relaxed);
      ep->mark_down_for(connect_failure_cooldown);
      outcome = request_outcome::connect_failure;
      if (unsent) {
        record_attempt(rt, ep, started, outcome, head_at, epoch);
        unsent->request = std::move(req);
        unsent->status = 0;
        co_return handled{0, true};
      }
      answer = co_await answer_unreachable(s, *ep, ec);
      break;
    }
    exchange_context c{s, rt, *ep, *conn, *w, unsent != nullptr, started};
    auto r = co_await std::visit([&](auto& up) { return exchange(c, up, head, sent, reused); },
                                 conn->stream);
    if (r.retry_fresh) {
      ep->stats().stale_retries.fetch_add(1, std::memory_order_relaxed);
      ep->release(std::move(conn), false);
      continue;
    }
    ep->release(std::move(conn), r.reusable);
    if (c.outcome) outcome = *c.outcome;
    head_at = c.head_at;
    if (r.hand_back) {
      stop_watch(s);
      if (outcome == request_outcome::server_error || outcome == request_outcome::reset)
        ep->stats().errors.fetch_add(1, std::memory_order_relaxed);
      record_attempt(rt, ep, started, outcome, head_at, epoch);
      unsent->request = std::move(req);
      unsent->status = c.upstream_status;
      unsent->retry_after = c.retry_after;
      co_return handled{0, true};
    }
    answer = r.answer;
  }
  if (!answer) {
    // Every path above answers (a fresh connection never asks for a retry); should one not, the
    // client still gets an answer instead of a hang, and the log says where.
    assert(false && "relay ended without answering");
    stop_watch(s);
    spdlog::error("relay to {} ended without an answer", connection_name(*ep));
    answer = co_await send_error(s, gateway_error::upstream_unreachable,
                                 fmt::format("{} gave no usable answer", connection_name(*ep)));
  }
  stop_watch(s);
  ep->stats().latency.observe_since(started);
  record_attempt(rt, ep, started, outcome, head_at, epoch);
  co_return *answer;
}

}  // namespace sb
