#include "http/server/request_head_checks.hpp"

#include <algorithm>
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

std::vector<const void*> head_field_ids(const http::fields& h) {
  std::vector<const void*> ids;
  for (auto& f : h) ids.push_back(&f);
  return ids;
}

std::optional<head_problem> drop_trailer_fields(http::request_parser<growing_string_body>& parser,
                                                const std::vector<const void*>& head,
                                                std::size_t max_fields, std::size_t max_bytes) {
  auto& h = parser.get();
  std::size_t fields = 0, bytes = 0;
  for (auto& f : h) {
    ++fields;
    bytes += f.name_string().size() + f.value().size() + 4;  // "name: value\r\n", as on the wire
  }
  if (fields == head.size()) return std::nullopt;
  if (fields > max_fields)
    return head_problem{gateway_error::headers_too_large,
                        "too many header and trailer fields (more than " +
                            std::to_string(max_fields) + ")"};
  if (bytes > max_bytes)
    return head_problem{gateway_error::headers_too_large,
                        "header and trailer fields are too large (more than " +
                            std::to_string(max_bytes) + " bytes)"};
  // A trailer field joins the head's fields of the same name, wherever they are: told apart by
  // identity, not position.
  for (auto it = h.begin(); it != h.end();)
    if (std::find(head.begin(), head.end(), static_cast<const void*>(&*it)) == head.end())
      it = h.erase(it);
    else
      ++it;
  return std::nullopt;
}

}  // namespace sb
