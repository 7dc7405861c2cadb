#pragma once
// What a request head must satisfy before its body is read, beyond what Beast's parser checks:
// the rules whose breach lets one request hide inside another (RFC 9112 §6.1, §6.3, §3.2).
#include <boost/beast/http/parser.hpp>
#include "http/server/growing_string_body.hpp"
#include <optional>
#include <string>
#include <vector>

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

/// The fields of a message head, by identity (taken before a chunked body, whose trailer fields
/// Beast adds to the head).
std::vector<const void*> head_field_ids(const boost::beast::http::fields& h);

/// After a chunked body: trailer fields count against the head's limits (`max_fields` fields and
/// `max_bytes` of fields, head and trailer together): past them the request is refused as a
/// head would be (431). Otherwise the trailer fields (those not in `head`) are removed, so that
/// none is ever taken for a header of the request.
std::optional<head_problem> drop_trailer_fields(
    boost::beast::http::request_parser<growing_string_body>& parser,
    const std::vector<const void*>& head, std::size_t max_fields, std::size_t max_bytes);

}  // namespace sb
