#pragma once
// Writing whole responses to a client, and what a handler reports back to its session.
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "messages/request_record.hpp"
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include "http/server/growing_string_body.hpp"
#include <optional>
#include <string>
#include <string_view>

#include "http/server/errors.hpp"
#include "messages/request_record.hpp"

namespace sb {

class client_reader;
class op_deadline;

using client_request = boost::beast::http::request<growing_string_body>;

/// What a handler did: the status it answered (for metrics) and whether the client connection
/// can carry another request.
struct handled {
  unsigned status = 200;
  bool keep_alive = true;
};

/// Everything a handler needs from its session.
struct session_io {
  boost::beast::tcp_stream& client;
  unsigned version;                 // HTTP/1.x minor version of the request
  bool keep_alive;                  // what the request asked for, false while draining
  bool head_only = false;           // a HEAD request: the head of the answer, never its body
  client_reader* reader = nullptr;  // the session's read, which tells when the client leaves
  op_deadline* deadline = nullptr;  // times out the session's socket operations, one at a time
  error_dialect dialect = error_dialect::openai;  // set by the route: which error body to write
  request_record* record = nullptr;  // the record stage's, when it runs (ACCESS_LOG)
};

/// Counts `n` bytes written to the client in the request's record (the first write's time too).
inline void note_written(session_io& s, std::size_t n) {
  if (!s.record) return;
  if (s.record->first_byte_us < 0)
    s.record->first_byte_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - s.record->started)
                                  .count();
  s.record->bytes_out += n;
}

/// Appends the head of an answer to `s`'s request: status line, Server, Content-Type, the length
/// (or, when `content_length` is empty, chunked transfer for HTTP/1.1 and nothing for HTTP/1.0,
/// whose body then ends with the connection: set `s.keep_alive` false first), Connection as the request needs, then
/// `extra` (whole header lines), then the blank line. Rendered by hand: Beast's serializer costs
/// several microseconds per answer.
void render_response_head(std::string& out, const session_io& s, boost::beast::http::status status,
                          std::string_view content_type, std::optional<std::size_t> content_length,
                          std::string_view extra = {});

/// `extra` is whole header lines ("Name: value\r\n..."), appended to the head.
boost::asio::awaitable<handled> send_body(session_io& s, boost::beast::http::status status,
                                          std::string body,
                                          std::string_view content_type = "application/json",
                                          std::string_view extra = {});

/// Writes `n` bytes of a streamed answer (whose head said chunked, or nothing for HTTP/1.0) as one
/// HTTP/1.1 chunk, and the terminating chunk after it when `last`, in a single gathered write,
/// after `prefix` when there is one (the answer's head, not written yet). False when the client
/// is gone or too slow.
boost::asio::awaitable<bool> write_chunk(session_io& s, const char* data, std::size_t n, bool last,
                                         std::string_view prefix = {});

/// An error body in the session's dialect; `extra` as for send_body.
boost::asio::awaitable<handled> send_error(session_io& s, gateway_error e,
                                           std::string_view message, std::string_view extra = {});

}  // namespace sb
