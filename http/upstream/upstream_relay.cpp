#include "http/upstream/upstream_relay.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cassert>
#include <optional>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <span>
#include <unordered_set>
#include <vector>

#include "http/server/client_reader.hpp"
#include "http/upstream/error_scrub.hpp"
#include "http/server/memory_budget.hpp"
#include "http/server/op_deadline.hpp"
#include "http/server/parse_feed.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/stream_framing.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
constexpr std::size_t stream_buffer_initial = 16 * 1024;
constexpr std::size_t stream_event_max = 1024 * 1024;          // longest SSE event relayed
constexpr std::uint64_t whole_body_max = 64ull * 1024 * 1024;  // largest non-streamed answer
constexpr auto client_write_timeout = std::chrono::seconds(60);
constexpr std::size_t read_size = 16 * 1024;

// What the relay knows of its client while the upstream works: the session's read ended (the
// client left: `requested`), and which upstream socket to cancel when that happens (`current`,
// set for one attempt at a time and cleared before that attempt's connection can be freed).
using client_watch = upstream_cancel;

void start_watch(session_io& s, const std::shared_ptr<client_watch>& w) {
  if (!s.reader) return;
  if (!s.reader->watch([w] {
        spdlog::debug("client left: cancelling its upstream request");
        w->request();
      }))
    spdlog::debug("client departure not watched (no read outstanding)");
}

void stop_watch(session_io& s) {
  if (s.reader) s.reader->unwatch();
}

// The streams this I/O thread is relaying, so that a drain deadline can end each with an error
// event rather than a bare close.
thread_local std::unordered_set<client_watch*> open_streams;

struct streaming_registration {
  client_watch& w;
  explicit streaming_registration(client_watch& watch) : w(watch) { open_streams.insert(&w); }
  ~streaming_registration() { open_streams.erase(&w); }
  streaming_registration(const streaming_registration&) = delete;
  streaming_registration& operator=(const streaming_registration&) = delete;
};

// Points the watch at one attempt's upstream socket, and never past the attempt.
struct watch_scope {
  client_watch& w;
  watch_scope(client_watch& watch, beast::tcp_stream* socket) : w(watch) { w.current = socket; }
  ~watch_scope() { w.current = nullptr; }
  watch_scope(const watch_scope&) = delete;
  watch_scope& operator=(const watch_scope&) = delete;
};

std::string connection_name(const upstream_endpoint& ep) {
  return fmt::format("{} connection {}", to_string(ep.spec().key.kind), ep.spec().key.idx);
}

// An HTTP protocol violation (as opposed to a transport failure or an early close).
bool is_protocol_error(const error_code& ec) {
  static const auto& http_category = error_code(http::error::bad_version).category();
  return ec.category() == http_category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

gateway_error classify(const error_code& ec) {
  if (ec == beast::error::timeout) return gateway_error::upstream_timeout;
  if (is_protocol_error(ec)) return gateway_error::upstream_bad_response;
  return gateway_error::upstream_unreachable;
}

std::string describe(const upstream_endpoint& ep, const error_code& ec, const runtime& rt) {
  if (ec == beast::error::timeout)
    return fmt::format("{} did not answer within {:g} s", connection_name(ep),
                       std::chrono::duration<double>(rt.cfg.upstream_response_timeout).count());
  if (is_protocol_error(ec))
    return fmt::format("{} sent an invalid HTTP response", connection_name(ep));
  return fmt::format("{} failed: {}", connection_name(ep), ec.message());
}

// The client-facing body for an upstream answer >= 400: the upstream's own error message when it
// sent JSON, a sanitized one otherwise (an upstream body is never echoed wholesale). Only the
// error's scalar fields pass, capped and scrubbed of credentials: a provider's 401 may quote the
// key it was sent.
std::pair<http::status, std::string> upstream_error_answer(unsigned status, const std::string& body,
                                                           const upstream_endpoint& ep) {
  auto scrub = [&](std::string_view text) { return scrub_upstream_text(text, ep.secrets()); };
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    auto& o = v.as_object();
    std::string message;
    boost::json::object err;
    if (auto* e = o.if_contains("error")) {
      if (e->is_object()) {
        for (auto& [k, field] : e->as_object()) {
          if (k != "message" && k != "type" && k != "code" && k != "param") continue;
          if (field.is_string())
            err[k] = scrub(field.as_string());
          else if (field.is_number() || field.is_bool() || field.is_null())
            err[k] = field;
        }
        if (auto* m = err.if_contains("message"); m && m->is_string())
          message = std::string(m->as_string());
      } else if (e->is_string()) {
        message = scrub(e->as_string());
      }
    } else if (auto* d = o.if_contains("detail"); d && d->is_string()) {
      message = scrub(d->as_string());
    }
    if (!message.empty()) {
      if (!err.contains("message")) {
        err["message"] = message;
        err["type"] = "upstream_error";
        err["code"] = status;
      }
      boost::json::object out{{"detail", message}, {"error", std::move(err)}};
      return {static_cast<http::status>(status), boost::json::serialize(out)};
    }
  }
  auto code = status >= 500 ? 502u : status;
  return {static_cast<http::status>(code),
          error_body("upstream_error",
                     fmt::format("{} returned HTTP {}", connection_name(ep), status), code)};
}

bool looks_like_json(const std::string& body) {
  for (char c : body) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{' || c == '[';
  }
  return false;
}

struct exchange_result {
  handled answer;
  bool retry_fresh = false;  // a pooled connection was found closed before any answer
  bool reusable = false;     // the upstream connection can go back to the pool
};

// Writes `n` bytes as one HTTP/1.1 chunk, and the terminating chunk after it when `last`, in a
// single gathered write (Beast's chunk_body is general but costs more per event than this). An
// HTTP/1.0 client knows no chunked coding: it gets the bytes as they are, and the end of the
// answer is the connection's close.
net::awaitable<bool> write_chunk(session_io& s, const char* data, std::size_t n, bool last) {
  if (s.version == 10) {
    if (n == 0) co_return true;
    s.deadline->arm(s.client.socket(), client_write_timeout);
    auto [ec, written] = co_await net::async_write(s.client, net::buffer(data, n), use_nothrow);
    co_return !s.deadline->settle(ec);
  }
  char head[24];
  auto len = fmt::format_to_n(head, sizeof head, "{:x}\r\n", n).size;
  static constexpr char crlf[] = "\r\n";
  static constexpr char terminator[] = "0\r\n\r\n";
  std::array<net::const_buffer, 4> bufs;
  std::size_t count = 0;
  if (n > 0) {
    bufs[count++] = net::buffer(head, len);
    bufs[count++] = net::buffer(data, n);
    bufs[count++] = net::buffer(crlf, 2);
  }
  if (last) bufs[count++] = net::buffer(terminator, 5);
  s.deadline->arm(s.client.socket(), client_write_timeout);
  auto [ec, written] = co_await net::async_write(
      s.client, std::span<const net::const_buffer>(bufs.data(), count), use_nothrow);
  co_return !s.deadline->settle(ec);
}

template <class Stream>
net::awaitable<exchange_result> relay_stream(session_io& s, runtime& rt, upstream_endpoint& ep,
                                             upstream_connection& conn, Stream& up,
                                             http::response_parser<http::empty_body>& hp,
                                             client_watch& w) {
  exchange_result r;
  auto& lowest = beast::get_lowest_layer(up);
  streaming_registration registered(w);
  http::response_parser<http::buffer_body> bp{std::move(hp)};
  bp.body_limit(boost::none);
  auto status = bp.get().result();
  if (s.version == 10) s.keep_alive = false;  // close-delimited: the close ends the answer
  std::string head;
  head.reserve(256);
  render_response_head(head, s, status, bp.get()[http::field::content_type], std::nullopt,
                       "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n");
  s.deadline->arm(s.client.socket(), client_write_timeout);
  auto [header_ec, header_n] = co_await net::async_write(s.client, net::buffer(head), use_nothrow);
  if (s.deadline->settle(header_ec)) {
    rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
    r.answer = {static_cast<unsigned>(status), false};
    co_return r;
  }
  rt.metrics.open_streams.fetch_add(1, std::memory_order_relaxed);
  std::vector<char> buf(stream_buffer_initial);
  std::size_t used = 0, scanned = 0;
  bool client_ok = true;
  bool finished = false;  // the last write carried the end of the body
  std::string failure;
  bp.eager(true);  // parse every buffered chunk in one put(), not one chunk per call
  while (!w.requested && !w.shutting_down) {
    // Parse what is already buffered into `buf` (no I/O), then decide what to send.
    boost::system::error_code ec;
    while (conn.buffer.size() > 0 && !bp.is_done()) {
      if (used == buf.size()) {
        if (buf.size() >= stream_event_max) break;
        buf.resize(buf.size() * 2);
      }
      bp.get().body().data = buf.data() + used;
      bp.get().body().size = buf.size() - used;
      auto consumed = bp.put(conn.buffer.data(), ec);
      conn.buffer.consume(consumed);
      used += (buf.size() - used) - bp.get().body().size;
      if (ec == http::error::need_buffer) ec = {};
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) break;
    }
    if (ec) {
      failure = describe(ep, ec, rt);
      break;
    }
    bool done = bp.is_done();
    // Hold back a partial event so a cut stream never ends mid-event; all of it once complete.
    std::size_t boundary = done ? used : last_sse_event_end(buf.data(), scanned, used);
    scanned = used >= 2 ? used - 2 : 0;
    if (boundary > 0 || done) {
      if (!(client_ok = co_await write_chunk(s, buf.data(), boundary, done))) break;
      finished = done;
      std::memmove(buf.data(), buf.data() + boundary, used - boundary);
      used -= boundary;
      scanned = 0;
    }
    if (done) break;
    if (used == buf.size() && buf.size() >= stream_event_max) {
      failure = fmt::format("{} sent an SSE event longer than {} bytes", connection_name(ep),
                            stream_event_max);
      break;
    }
    // The client may have left (or the drain deadline passed) while the write above was in
    // flight: the cancel then had no read to cancel, and a read started now would wait for an
    // upstream that may never send again.
    if (w.requested || w.shutting_down) break;
    // Wait for more from the upstream (the watch cancels this read if the client leaves).
    s.deadline->arm(lowest.socket(), rt.cfg.upstream_response_timeout);
    auto [read_ec, n] = co_await up.async_read_some(conn.buffer.prepare(read_size), use_nothrow);
    auto rec = s.deadline->settle(read_ec);
    conn.buffer.commit(n);
    if (rec == net::error::eof || rec == net::ssl::error::stream_truncated) {
      if (bp.need_eof()) {
        bp.put_eof(ec);  // a body delimited by the connection's end
        if (!ec) continue;
      }
      failure = fmt::format("{} closed the connection mid-stream", connection_name(ep));
      break;
    }
    if (rec) {
      if (!w.requested && !w.shutting_down) failure = describe(ep, rec, rt);
      break;
    }
  }
  if (w.requested) client_ok = false;
  if (w.shutting_down && failure.empty() && !finished) failure = "the gateway is shutting down";
  stop_watch(s);
  rt.metrics.open_streams.fetch_sub(1, std::memory_order_relaxed);
  if (!client_ok) {
    rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
    r.answer = {static_cast<unsigned>(status), false};
    co_return r;
  }
  if (!failure.empty()) {
    // Never a false [DONE]: drop the partial event and end with an explicit error event.
    rt.metrics.upstream_stream_errors.fetch_add(1, std::memory_order_relaxed);
    ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("stream cut: {}", failure);
    auto frame = "data: " + error_body("upstream_error", failure, 502) + "\n\n";
    client_ok = co_await write_chunk(s, frame.data(), frame.size(), true);
  }
  // Otherwise the loop ended on the complete body, whose last write carried the final chunk.
  r.reusable = failure.empty() && bp.is_done() && bp.keep_alive();
  r.answer = {static_cast<unsigned>(status), client_ok && s.keep_alive};
  co_return r;
}

template <class Stream>
net::awaitable<exchange_result> exchange(session_io& s, runtime& rt, upstream_endpoint& ep,
                                         upstream_connection& conn, Stream& up,
                                         const std::string& head, const upstream_request& req,
                                         bool reused, client_watch& w) {
  exchange_result r;
  auto& lowest = beast::get_lowest_layer(up);
  watch_scope watching(w, &lowest);
  auto fail = [&](const error_code& ec) -> net::awaitable<exchange_result> {
    exchange_result fr;
    stop_watch(s);
    if (w.requested) {
      rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
      fr.answer = {499, false};
      co_return fr;
    }
    ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
    fr.answer = co_await send_error(s, classify(ec), describe(ep, ec, rt));
    co_return fr;
  };

  s.deadline->arm(lowest.socket(), rt.cfg.upstream_response_timeout);
  std::array<net::const_buffer, 2> out{net::buffer(head), net::buffer(req.body)};
  auto [write_ec, write_n] = co_await net::async_write(up, out, use_nothrow);
  if (auto ec = s.deadline->settle(write_ec); ec) {
    if (reused && !w.requested) {
      r.retry_fresh = true;
      co_return r;
    }
    co_return co_await fail(ec);
  }
  if (w.requested) co_return co_await fail(net::error::operation_aborted);
  // Time to first byte is a total deadline from the request, not an idle timeout per read.
  auto header_deadline = std::chrono::steady_clock::now() + rt.cfg.upstream_response_timeout;
  // Interim (1xx) answers are skipped until the final one (classify_head).
  std::optional<http::response_parser<http::empty_body>> hp;
  for (int interim = 0;; ++interim) {
    bool first = !hp;
    hp.emplace();
    hp->header_limit(64 * 1024);
    if (auto ec = co_await feed_parser(
            up, conn.buffer, *hp, [](auto& p) { return p.is_header_done(); }, header_deadline,
            *s.deadline);
        ec) {
      if (first && reused && !w.requested && !hp->got_some() && ec != beast::error::timeout) {
        r.retry_fresh = true;
        co_return r;
      }
      co_return co_await fail(ec);
    }
    auto kind = classify_head(hp->get().result_int(), interim);
    if (kind == head_kind::final) break;
    if (kind == head_kind::refused) co_return co_await fail(http::error::bad_status);
  }
  ep.mark_answering();
  auto status = hp->get().result_int();
  auto content_type = hp->get()[http::field::content_type];
  if (status < 400 && content_type.find("text/event-stream") != beast::string_view::npos)
    co_return co_await relay_stream(s, rt, ep, conn, up, *hp, w);

  http::response_parser<growing_string_body> sp{std::move(*hp)};
  sp.body_limit(whole_body_max);
  sp.eager(true);
  if (w.requested) co_return co_await fail(net::error::operation_aborted);
  budget_lease body_lease(rt.buffers);
  bool over_budget = false;
  if (auto ec = co_await feed_parser(up, conn.buffer, sp,
                                     body_within_budget{&body_lease, &over_budget},
                                     rt.cfg.upstream_response_timeout, *s.deadline);
      ec || over_budget) {
    if (over_budget) {
      stop_watch(s);
      rt.metrics.overloaded.fetch_add(1, std::memory_order_relaxed);
      r.answer = co_await send_error(
          s, gateway_error::overloaded,
          "the gateway is holding as many answer bytes as it may; retry shortly");
      co_return r;
    }
    if (ec == http::error::body_limit) {
      stop_watch(s);
      ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
      r.answer = co_await send_error(
          s, gateway_error::upstream_bad_response,
          fmt::format("{} answered more than {} bytes", connection_name(ep), whole_body_max));
      co_return r;
    }
    co_return co_await fail(ec);
  }
  stop_watch(s);
  r.reusable = sp.keep_alive();
  auto msg = sp.release();
  if (status >= 500) ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
  if (status >= 400) {
    auto [code, body] = upstream_error_answer(status, msg.body(), ep);
    r.answer = co_await send_body(s, code, std::move(body));
  } else if (!looks_like_json(msg.body())) {
    ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
    r.answer = co_await send_error(
        s, gateway_error::upstream_bad_response,
        fmt::format("{} returned a body that is not JSON", connection_name(ep)));
  } else {
    std::string ct =
        content_type.empty() ? std::string("application/json") : std::string(content_type);
    r.answer = co_await send_body(s, static_cast<http::status>(status), std::move(msg.body()), ct);
  }
  co_return r;
}

}  // namespace

void cut_open_streams(runtime& rt) {
  for (unsigned i = 0; i < rt.io.size(); ++i)
    net::post(rt.io.context(i), [] {
      for (auto* w : open_streams) w->shut_down();
    });
}

net::awaitable<relay_outcome> relay_to_upstream(session_io& s, runtime& rt,
                                                std::shared_ptr<upstream_endpoint> ep,
                                                const upstream_request& req, bool may_fail_over) {
  auto started = std::chrono::steady_clock::now();
  const auto head =
      ep->request_head(req.method, req.path, req.content_type, req.accept, req.body.size());
  ep->stats().requests.fetch_add(1, std::memory_order_relaxed);
  auto w = std::make_shared<client_watch>();
  start_watch(s, w);
  std::optional<handled> answer;
  for (int attempt = 0; attempt < 2 && !answer; ++attempt) {
    // A pooled connection first; the retry always opens a fresh one (the next pooled one may be
    // as dead as the first, after an upstream restart they all are).
    auto conn = attempt == 0 ? ep->take_idle() : nullptr;
    bool reused = conn != nullptr;
    if (!conn) {
      error_code ec;
      conn = co_await ep->connect(ec, w.get());
      if (!conn) {
        stop_watch(s);
        if (w->requested) {
          rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
          answer = handled{499, false};
          break;
        }
        ep->stats().errors.fetch_add(1, std::memory_order_relaxed);
        ep->mark_down_for(connect_failure_cooldown);
        if (may_fail_over) co_return relay_outcome{{}, true};
        auto e = ec == beast::error::timeout ? gateway_error::upstream_timeout
                                             : gateway_error::upstream_unreachable;
        auto why = ec == beast::error::timeout           ? std::string("connect timed out")
                   : ec == net::error::access_denied ? std::string("its address is not allowed")
                                                         : ec.message();
        answer = co_await send_error(
            s, e, fmt::format("{} is unreachable: {}", connection_name(*ep), why));
        break;
      }
    }
    auto r = co_await std::visit(
        [&](auto& up) { return exchange(s, rt, *ep, *conn, up, head, req, reused, *w); },
        conn->stream);
    if (r.retry_fresh) {
      ep->stats().stale_retries.fetch_add(1, std::memory_order_relaxed);
      ep->release(std::move(conn), false);
      continue;
    }
    ep->release(std::move(conn), r.reusable);
    answer = r.answer;
  }
  if (!answer) {
    // Every path above answers (a fresh connection never asks for a retry); should one not, the
    // client still gets an answer instead of a hang, and the log says where.
    assert(false && "relay ended without answering");
    stop_watch(s);
    spdlog::error("relay to {} ended without an answer", connection_name(*ep));
    answer = co_await send_error(
        s, gateway_error::upstream_unreachable,
        fmt::format("{} gave no usable answer", connection_name(*ep)));
  }
  stop_watch(s);
  ep->stats().latency.observe_since(started);
  co_return relay_outcome{*answer, false};
}

}  // namespace sb
