#pragma once
// Feeding a Beast parser by hand: parse what is already buffered with parser.put() (no I/O, no
// completion hand-off) and read from the socket only when the parser needs more. A request or an
// upstream answer nearly always arrives in one read, so this costs one receive per message where
// async_read_header + async_read cost several composed operations, timer arms and posts.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <chrono>
#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "http/server/op_deadline.hpp"

namespace sb {

/// How much the next read into `buffer` asks for: the room it has (up to 16 KB), at least 4 KB.
/// With read_done() after the read, a buffer grows (doubling) only while reads fill it, so a
/// connection whose messages are small holds 4 KB, where a fixed 16 KB read made every upstream
/// connection, pooled or streaming, hold 16 KB.
inline std::size_t read_size(const boost::beast::flat_buffer& buffer) {
  constexpr std::size_t least = 4 * 1024;
  constexpr std::size_t most = 16 * 1024;
  auto room = buffer.capacity() - buffer.size();
  return room >= least ? std::min(room, most) : least;
}

/// After a read of `asked` bytes brought `got`: a read that filled its room makes the next one
/// larger (the bytes may be coming faster than 4 KB per read).
inline void read_done(boost::beast::flat_buffer& buffer, std::size_t asked, std::size_t got) {
  constexpr std::size_t most = 16 * 1024;
  if (got == asked && buffer.capacity() < most)
    buffer.reserve(std::min(2 * buffer.capacity(), most));
}

/// Parses from `buffer`, reading more from `stream`, until `done` holds for the parser. `limit` is
/// either a duration (each read must complete within it: an idle timeout) or a time point (all of
/// it must arrive by then: a total deadline, which a client trickling bytes cannot extend),
/// enforced through `deadline`.
/// `max_unparsed` bounds what may wait in `buffer` for the parser to make sense of it: past the
/// head, that is a chunk header or the trailer section, which Beast buffers whole (without the
/// bound, an endless trailer grew the buffer without end). Past it: http::error::header_limit.
/// Returns the first error: the parser's, the socket's, or http::error::end_of_stream when the
/// peer closed before sending anything.
template <class Stream, class Parser, class Done, class Limit>
boost::asio::awaitable<boost::system::error_code> feed_parser(Stream& stream,
                                                              boost::beast::flat_buffer& buffer,
                                                              Parser& parser, Done done,
                                                              Limit limit, op_deadline& deadline,
                                                              std::size_t max_unparsed) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  for (;;) {
    if (done(parser)) co_return boost::system::error_code{};
    if (buffer.size() > 0) {
      boost::system::error_code ec;
      auto n = parser.put(buffer.data(), ec);
      buffer.consume(n);
      if (!ec) continue;
      if (ec != http::error::need_more) co_return ec;
      if (buffer.size() > max_unparsed) co_return http::error::header_limit;
    }
    deadline.arm(boost::beast::get_lowest_layer(stream).socket(), limit);
    auto asked = read_size(buffer);
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(asked),
                                                        net::as_tuple(net::use_awaitable));
    auto ec = deadline.settle(read_ec);
    buffer.commit(n);
    read_done(buffer, asked, n);
    if (ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      boost::system::error_code eof_ec;
      parser.put_eof(eof_ec);
      if (eof_ec) co_return eof_ec;
      continue;
    }
    if (ec) co_return ec;
  }
}

}  // namespace sb
