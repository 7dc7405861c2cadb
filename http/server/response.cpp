#include "http/server/response.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <span>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "http/server/op_deadline.hpp"

namespace sb {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {
void append_decimal(std::string& out, std::size_t n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

// How long one write to a client may take before the client counts as gone.
constexpr auto client_write_timeout = std::chrono::seconds(60);
}  // namespace

void render_response_head(std::string& out, const session_io& s, http::status status,
                          std::string_view content_type, std::optional<std::size_t> content_length,
                          std::string_view extra) {
  // Appended piece by piece: fmt's format-string walk cost more than the rest of the head.
  out += s.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_decimal(out, static_cast<unsigned>(status));
  out += ' ';
  out += http::obsolete_reason(status);
  out += "\r\nServer: switchboard\r\nContent-Type: ";
  out += content_type;
  out += "\r\n";
  if (content_length) {
    out += "Content-Length: ";
    append_decimal(out, *content_length);
    out += "\r\n";
  } else if (s.version != 10) {
    out += "Transfer-Encoding: chunked\r\n";
  }
  // else: HTTP/1.0 has no chunked coding; the connection's close ends the body.
  if (!s.keep_alive && s.version != 10) out += "Connection: close\r\n";
  if (s.keep_alive && s.version == 10) out += "Connection: keep-alive\r\n";
  out += extra;
  out += "\r\n";
}

net::awaitable<handled> send_body(session_io& s, http::status status, std::string body,
                                  std::string_view content_type, std::string_view extra) {
  std::string head;
  head.reserve(160);
  render_response_head(head, s, status, content_type, body.size(), extra);
  std::array<net::const_buffer, 2> out{net::buffer(head),
                                       net::buffer(body.data(), s.head_only ? 0 : body.size())};
  s.deadline->arm(s.client.socket(), client_write_timeout);
  auto [write_ec, n] = co_await net::async_write(s.client, out, net::as_tuple(net::use_awaitable));
  note_written(s, n);
  auto ec = s.deadline->settle(write_ec);
  co_return handled{static_cast<unsigned>(status), s.keep_alive && !ec};
}

// Beast's chunk_body is general but costs more per event than this. An HTTP/1.0 client knows no
// chunked coding: it gets the bytes as they are, and the end of the answer is the connection's
// close.
net::awaitable<bool> write_chunk(session_io& s, const char* data, std::size_t n, bool last,
                                 std::string_view prefix) {
  constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
  std::array<net::const_buffer, 5> bufs;
  std::size_t count = 0;
  if (!prefix.empty()) bufs[count++] = net::buffer(prefix);
  char head[24];
  static constexpr char crlf[] = "\r\n";
  static constexpr char terminator[] = "0\r\n\r\n";
  if (s.version == 10) {
    if (n > 0) bufs[count++] = net::buffer(data, n);
  } else {
    if (n > 0) {
      auto size_end = std::to_chars(head, head + 16, n, 16).ptr;
      size_end[0] = '\r';
      size_end[1] = '\n';
      bufs[count++] = net::buffer(head, static_cast<std::size_t>(size_end + 2 - head));
      bufs[count++] = net::buffer(data, n);
      bufs[count++] = net::buffer(crlf, 2);
    }
    if (last) bufs[count++] = net::buffer(terminator, 5);
  }
  if (count == 0) co_return true;
  s.deadline->arm(s.client.socket(), client_write_timeout);
  auto [ec, written] = co_await net::async_write(
      s.client, std::span<const net::const_buffer>(bufs.data(), count), use_nothrow);
  note_written(s, written);
  co_return !s.deadline->settle(ec);
}

net::awaitable<handled> send_error(session_io& s, gateway_error e, std::string_view message,
                                   std::string_view extra) {
  auto t = traits_of(e);
  spdlog::log(t.level, "{} {}: {}", static_cast<unsigned>(t.status), t.type, message);
  // Over the memory budget nothing was lost: say when to come back.
  std::string lines(extra);
  if (e == gateway_error::overloaded || e == gateway_error::upstreams_down)
    lines += "Retry-After: 1\r\n";
  co_return co_await send_body(s, t.status, error_body(e, message, s.dialect), "application/json",
                               lines);
}

}  // namespace sb
