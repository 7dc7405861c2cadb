#include "http/upstream/stream_pump.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "http/server/field_value.hpp"
#include "http/server/op_deadline.hpp"
#include "http/server/parse_feed.hpp"
#include "http/server/runtime.hpp"
#include "http/server/memory_budget.hpp"
#include "http/upstream/answer_headers.hpp"
#include "http/upstream/token_usage.hpp"
#include "http/upstream/upstream_error.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
// Most events are a few hundred bytes; the buffer doubles when what is buffered does not fit.
constexpr std::size_t stream_buffer_initial = 2 * 1024;
// The longest event relayed. Ollama's last /api/generate line carries the whole context (one
// number per token), which passes 1 MiB with large contexts.
constexpr std::size_t stream_event_max = 8 * 1024 * 1024;

using body_parser = http::response_parser<http::buffer_body>;

// The body bytes parsed and not yet written: buf[0, used), of which [0, scanned) hold no boundary
// that a later byte could complete.
struct pending_events {
  explicit pending_events(memory_budget& budget) : lease(budget) {}
  std::vector<char> buf = std::vector<char>(stream_buffer_initial);
  budget_lease lease;  // what an event longer than the buffer made it grow to
  std::string head;  // the answer's head while it waits to go out with the first events
  std::size_t used = 0;
  std::size_t scanned = 0;
  // Events relayed, counted only where a cut stream's error event needs the number (Responses).
  std::uint64_t events = 0;
  bool count_events = false;
};

// Step 1: the answer's head. Chunked for HTTP/1.1; HTTP/1.0 is close-delimited.
// The upstream's own fields pass too (`upstream`), but for those the gateway sets itself.
std::string render_stream_head(exchange_context& c, http::status status,
                               std::string_view content_type, const http::fields& upstream,
                               answer_body body) {
  auto& s = c.s;
  if (s.version == 10) s.keep_alive = false;
  std::string extra = "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n";
  append_passed_headers(extra, upstream, body, true, c.ep.secrets());
  std::string head;
  head.reserve(256 + extra.size());
  render_response_head(head, s, status, content_type, std::nullopt, extra);
  return head;
}

// Writes the head alone, when no event came with it: the client learns at once that its stream
// has begun. (When events came with it, the head goes out in their write: one system call.)
net::awaitable<bool> write_pending_head(exchange_context& c, pending_events& p) {
  bool ok = co_await write_chunk(c.s, nullptr, 0, false, p.head);  // nothing when none waits
  p.head.clear();
  co_return ok;
}

// Step 2: parses what is already buffered from the upstream into `p` (no I/O). Stops when the
// buffer is full (at its cap) or the body is done.
error_code parse_buffered(exchange_context& c, body_parser& bp, pending_events& p) {
  error_code ec;
  while (c.conn.buffer.size() > 0 && !bp.is_done()) {
    if (p.used == p.buf.size()) {
      if (p.buf.size() >= stream_event_max) break;
      // Counted against MAX_BUFFERED_BYTES, the old and the new block while both live.
      if (!p.lease.hold(p.buf.size() * 3)) return boost::asio::error::no_buffer_space;
      p.buf.resize(p.buf.size() * 2);
      p.lease.settle_at(p.buf.size());
    }
    bp.get().body().data = p.buf.data() + p.used;
    bp.get().body().size = p.buf.size() - p.used;
    auto consumed = bp.put(c.conn.buffer.data(), ec);
    c.conn.buffer.consume(consumed);
    p.used += (p.buf.size() - p.used) - bp.get().body().size;
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::need_more) return {};
    if (ec) return ec;
  }
  return ec;
}

// The usage the events in buf[0, end) report, into the request's record (the record stage's
// alone). Only the events that hold the usage key are read: most runs of events cost one search.
void note_stream_usage(request_record& r, framing f, const char* buf, std::size_t end, bool done) {
  std::string_view run(buf, end);
  auto& finder = usage_finder(f);
  auto hit = finder.find(run);
  if (hit == std::string_view::npos) return;
  token_usage u;
  for (std::size_t at = 0; hit != std::string_view::npos;) {
    auto e = next_event_end(f, buf, at, end);
    if (e == 0) {  // the key is in the unfinished last piece: read only once the body is done
      if (done) fold_event_usage(f, run.substr(at), u);
      break;
    }
    if (e > hit) {
      fold_event_usage(f, run.substr(at, e - at), u);
      hit = finder.find(run, e);
    }
    at = e;
  }
  note_usage(r, u);
}

// Step 3: writes every complete event (all of it when `done`) in one client write, through the
// hook when there is one. False when the client is gone.
net::awaitable<bool> flush_events(exchange_context& c, pending_events& p, framing f,
                                  stream_hook* hook, bool done, std::string& converted) {
  std::size_t boundary = done ? p.used : last_event_end(f, p.buf.data(), p.scanned, p.used);
  p.scanned = p.used >= 2 ? p.used - 2 : 0;
  if (boundary == 0 && !done) co_return true;
  bool ok;
  if (auto* r = c.s.record) {
    note_stream_usage(*r, f, p.buf.data(), boundary, done);
    if (r->first_event_us < 0 && boundary > 0)
      r->first_event_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - r->started)
                              .count();
  }
  if (p.count_events)
    for (std::size_t at = 0, e; (e = next_event_end(f, p.buf.data(), at, boundary)) != 0; at = e)
      ++p.events;
  if (!hook) {
    ok = co_await write_chunk(c.s, p.buf.data(), boundary, done, p.head);
    p.head.clear();
  } else {
    converted.clear();
    std::size_t at = 0;
    for (std::size_t e; (e = next_event_end(f, p.buf.data(), at, boundary)) != 0; at = e)
      hook->on_event(std::string_view(p.buf.data() + at, e - at), converted);
    if (done) {
      if (at < boundary) hook->on_event(std::string_view(p.buf.data() + at, boundary - at), converted);
      hook->on_end(converted);
    }
    ok = co_await write_chunk(c.s, converted.data(), converted.size(), done, p.head);
    p.head.clear();
  }
  std::memmove(p.buf.data(), p.buf.data() + boundary, p.used - boundary);
  p.used -= boundary;
  p.scanned = 0;
  co_return ok;
}

// Which phase of a stream ran out of time, said plainly.
std::string stream_timeout_message(const exchange_context& c, bool total) {
  auto seconds = [](std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); };
  if (total)
    return fmt::format("{} did not finish the stream within {:g} s (UPSTREAM_STREAM_TOTAL_TIMEOUT)",
                       connection_name(c.ep), seconds(c.rt.cfg.upstream_stream_total_timeout));
  return fmt::format("{} sent nothing for {:g} s (UPSTREAM_IDLE_TIMEOUT)", connection_name(c.ep),
                     seconds(c.rt.cfg.upstream_idle_timeout));
}

// Step 4: waits for more from the upstream (the watch cancels this read if the client leaves).
// Returns why the stream cannot go on, or an empty string to continue.
template <class Stream>
net::awaitable<std::string> read_more(exchange_context& c, Stream& up, body_parser& bp) {
  auto& lowest = beast::get_lowest_layer(up);
  // Idle between reads; with UPSTREAM_STREAM_TOTAL_TIMEOUT, no later than the whole stream's end.
  auto wait = c.rt.cfg.upstream_idle_timeout;
  auto total = c.rt.cfg.upstream_stream_total_timeout;
  bool total_first = false;
  if (total.count() > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        c.started + total - std::chrono::steady_clock::now());
    if (left <= wait) {
      wait = std::max(left, std::chrono::milliseconds(1));
      total_first = true;
    }
  }
  c.s.deadline->arm(lowest.socket(), wait);
  auto asked = read_size(c.conn.buffer);
  auto [read_ec, n] = co_await up.async_read_some(c.conn.buffer.prepare(asked), use_nothrow);
  auto ec = c.s.deadline->settle(read_ec);
  if (ec == beast::error::timeout && !c.w.requested && !c.w.shutting_down)
    co_return stream_timeout_message(c, total_first);
  c.conn.buffer.commit(n);
  read_done(c.conn.buffer, asked, n);
  if (ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
    if (bp.need_eof()) {
      error_code eof_ec;
      bp.put_eof(eof_ec);  // a body delimited by the connection's end
      if (!eof_ec) co_return std::string();
    }
    co_return fmt::format("{} closed the connection mid-stream", connection_name(c.ep));
  }
  if (ec && !c.w.requested && !c.w.shutting_down) co_return describe_failure(c.ep, ec, c.rt);
  co_return std::string();
}

}  // namespace

template <class Stream>
net::awaitable<exchange_result> pump_stream(exchange_context& c, Stream& up,
                                            http::response_parser<http::empty_body>& head,
                                            framing f, stream_hook* hook,
                                            sse_dialect dialect) {
  exchange_result r;
  auto& w = c.w;
  streaming_registration registered(w);
  body_parser bp{std::move(head)};
  bp.body_limit(boost::none);
  auto status = bp.get().result();
  auto upstream_type = field_value(bp.get(), http::field::content_type);
  auto out_framing = hook ? hook->output_framing(f) : f;
  std::string_view type = upstream_type;
  if (type.empty())  // framing inferred from the request: say which
    type = f == framing::ndjson ? "application/x-ndjson" : "text/event-stream";
  if (hook) type = hook->content_type(type);
  // Cut into events (and perhaps ended by an error event of the gateway's): not the upstream's
  // bytes as they were, so no Content-Encoding or validator of theirs describes it.
  pending_events p(c.rt.buffers);
  p.head = render_stream_head(c, status, type, bp.get(), answer_body::rewritten);
  if (c.conn.buffer.size() == 0 && !co_await write_pending_head(c, p)) {
    if (c.s.record) c.s.record->cancelled = true;
    c.rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
    r.answer = {static_cast<unsigned>(status), false};
    co_return r;
  }
  c.rt.metrics.open_streams.fetch_add(1, std::memory_order_relaxed);
  p.count_events = dialect == sse_dialect::responses && out_framing == framing::sse;
  std::string converted;
  bool client_ok = true;
  bool finished = false;  // the last write carried the end of the body
  std::string failure;
  bp.eager(true);  // parse every buffered chunk in one put(), not one chunk per call
  while (!w.requested && !w.shutting_down) {
    if (auto ec = parse_buffered(c, bp, p)) {
      if (ec == boost::asio::error::no_buffer_space)
        failure = "the gateway is holding as many bytes as it may (MAX_BUFFERED_BYTES)";
      else
        failure = describe_failure(c.ep, ec, c.rt);
      break;
    }
    bool done = bp.is_done();
    if (!(client_ok = co_await flush_events(c, p, f, hook, done, converted))) break;
    if ((finished = done)) break;
    if (p.used == p.buf.size() && p.buf.size() >= stream_event_max) {
      failure = fmt::format("{} sent a stream event longer than {} bytes", connection_name(c.ep),
                            stream_event_max);
      break;
    }
    // The client may have left (or the drain deadline passed) while the write above was in
    // flight: the cancel then had no read to cancel, and a read started now would wait for an
    // upstream that may never send again.
    if (w.requested || w.shutting_down) break;
    if (!(client_ok = co_await write_pending_head(c, p))) break;  // no whole event came with it
    failure = co_await read_more(c, up, bp);
    if (!failure.empty() || w.requested || w.shutting_down) break;
  }
  if (w.requested) client_ok = false;
  if (w.shutting_down && failure.empty() && !finished) failure = "the gateway is shutting down";
  stop_watch(c.s);
  c.rt.metrics.open_streams.fetch_sub(1, std::memory_order_relaxed);
  if (!client_ok) {
    if (c.s.record) c.s.record->cancelled = true;
    c.rt.metrics.client_cancels.fetch_add(1, std::memory_order_relaxed);
    r.answer = {static_cast<unsigned>(status), false};
    co_return r;
  }
  if (!failure.empty()) {
    // A stream the upstream broke off or stalled counts against it (a drain's cut does not).
    if (!w.shutting_down) c.outcome = request_outcome::reset;
    if (c.s.record) c.s.record->cut = true;
    // Never a false end: the partial event is dropped and an explicit error event ends the stream.
    c.rt.metrics.upstream_stream_errors.fetch_add(1, std::memory_order_relaxed);
    c.ep.stats().errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("stream cut: {}", failure);
    auto frame = error_event(out_framing, failure, dialect, p.events);
    client_ok = co_await write_chunk(c.s, frame.data(), frame.size(), true, p.head);
  }
  r.reusable = failure.empty() && bp.is_done() && bp.keep_alive();
  r.answer = {static_cast<unsigned>(status), client_ok && c.s.keep_alive};
  co_return r;
}

template net::awaitable<exchange_result> pump_stream<plain_stream>(
    exchange_context&, plain_stream&, http::response_parser<http::empty_body>&, framing,
    stream_hook*, sse_dialect);
template net::awaitable<exchange_result> pump_stream<tls_stream>(
    exchange_context&, tls_stream&, http::response_parser<http::empty_body>&, framing,
    stream_hook*, sse_dialect);

}  // namespace sb
