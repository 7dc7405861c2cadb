#pragma once
// Which of an upstream answer's header fields reach the client. SDKs read more than the status
// and the body: Retry-After, x-request-id, openai-processing-ms, x-ratelimit-*. Every end-to-end
// field passes, except those that describe the gateway's own connection or framing, the
// upstream's origin (cookies, HSTS, Alt-Svc, CORS, WWW-Authenticate, Clear-Site-Data: a browser
// would take them for the gateway's) and the fields the gateway writes itself.
#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace sb {

enum class answer_body : std::uint8_t {
  as_is,      // relayed byte for byte: its Content-Encoding and validators still describe it
  rewritten,  // the gateway wrote its own (an error in the route's dialect, a converted stream)
};

/// Appends to `out` the header lines ("Name: value\r\n") of `head` that pass to the client of an
/// answer whose body is `body`. `streamed`: the gateway sets the stream's Cache-Control itself. A
/// field whose value quotes one of the connection's `secrets` is dropped.
void append_passed_headers(std::string& out, const boost::beast::http::fields& head,
                           answer_body body, bool streamed,
                           const std::vector<std::string>& secrets);

}  // namespace sb
