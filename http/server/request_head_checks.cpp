#include "http/server/request_head_checks.hpp"

#include <boost/beast/http/parser.hpp>

namespace sb {

namespace http = boost::beast::http;

std::optional<head_problem> check_request_head(
    const http::request_parser<growing_string_body>& parser, std::size_t max_fields) {
  auto& h = parser.get();
  std::size_t fields = 0, hosts = 0;
  bool transfer_encoding = false;
  for (auto& f : h) {
    ++fields;
    if (f.name() == http::field::host) ++hosts;
    if (f.name() == http::field::transfer_encoding) transfer_encoding = true;
  }
  if (fields > max_fields)
    return head_problem{gateway_error::headers_too_large,
                        "too many request header fields (more than " + std::to_string(max_fields) +
                            ")"};
  if (transfer_encoding && !parser.chunked())
    return head_problem{gateway_error::bad_request,
                        "Transfer-Encoding must end with chunked; this body cannot be framed"};
  if (hosts > 1) return head_problem{gateway_error::bad_request, "more than one Host header"};
  if (hosts == 0 && h.version() >= 11)
    return head_problem{gateway_error::bad_request, "an HTTP/1.1 request needs a Host header"};
  return std::nullopt;
}

std::size_t count_fields(const http::fields& h) {
  std::size_t n = 0;
  for (auto it = h.begin(); it != h.end(); ++it) ++n;
  return n;
}

std::optional<head_problem> drop_trailer_fields(http::request_parser<growing_string_body>& parser,
                                                std::size_t head_fields, std::size_t max_fields) {
  auto& h = parser.get();
  auto fields = count_fields(h);
  if (fields == head_fields) return std::nullopt;
  if (fields > max_fields)
    return head_problem{gateway_error::headers_too_large,
                        "too many header and trailer fields (more than " +
                            std::to_string(max_fields) + ")"};
  auto it = h.begin();
  for (std::size_t i = 0; i < head_fields; ++i) ++it;
  while (it != h.end()) it = h.erase(it);
  return std::nullopt;
}

}  // namespace sb
