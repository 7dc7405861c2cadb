#pragma once
// Beast's string_body reserves a message's declared Content-Length before a byte of it arrives:
// a hundred clients declaring 64 MiB each reserve 6 GiB. This body holds only what has arrived,
// growing geometrically (std::string's own growth) as bytes come in.
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <string>

namespace sb {

/// Room kept past a body's end for the JSON parser, which reads up to 64 bytes beyond a document
/// (simdjson's SIMDJSON_PADDING, checked in json_parser.hpp): a body so read is parsed in place.
inline constexpr std::size_t json_body_padding = 64;

struct growing_string_body {
  using value_type = std::string;

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& b) : body_(b) {}

    void init(const boost::optional<std::uint64_t>& length, boost::system::error_code& ec) {
      if (length && *length > body_.max_size()) {
        ec = boost::beast::http::error::buffer_overflow;
        return;
      }
      // A small head start for the common small body (with the parser's room past it, so that
      // reading it as JSON copies nothing); never the declared size.
      if (length)
        body_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length, 4096)) +
                      json_body_padding);
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      auto n = boost::asio::buffer_size(buffers);
      if (n > body_.max_size() - body_.size()) {
        ec = boost::beast::http::error::buffer_overflow;
        return 0;
      }
      for (auto b : boost::beast::buffers_range_ref(buffers))
        body_.append(static_cast<const char*>(b.data()), b.size());
      ec = {};
      return n;
    }

    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };

  // Writing is the same as string_body's.
  using writer = boost::beast::http::string_body::writer;
};

}  // namespace sb
