#pragma once
// What a request head must satisfy before its body is read, beyond what Beast's parser checks:
// the rules whose breach lets one request hide inside another (RFC 9112 §6.1, §6.3, §3.2).
#include <boost/beast/http/parser.hpp>
#include "http/server/growing_string_body.hpp"
#include <optional>
#include <string>

#include "http/server/errors.hpp"

namespace sb {

struct head_problem {
  gateway_error error;
  std::string message;
};

/// Why the head `h` must be refused (and the connection closed), or nothing. A Transfer-Encoding
/// whose last coding is not chunked cannot be framed (Beast would read it as an empty body and run
/// the body as a second request); HTTP/1.1 needs exactly one Host; more than `max_fields` header
/// fields is refused as too large.
std::optional<head_problem> check_request_head(
    const boost::beast::http::request_parser<growing_string_body>& parser,
    std::size_t max_fields);

/// The number of fields in a message head.
std::size_t count_fields(const boost::beast::http::fields& h);

/// After a chunked body: Beast appends trailer fields to the head, past its `head_fields` fields.
/// More than `max_fields` in all is refused as the head would be (431); otherwise the trailer
/// fields are removed, so that none is ever taken for a header of the request.
std::optional<head_problem> drop_trailer_fields(
    boost::beast::http::request_parser<growing_string_body>& parser, std::size_t head_fields,
    std::size_t max_fields);

}  // namespace sb
