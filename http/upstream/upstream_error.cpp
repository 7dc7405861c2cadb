#include "http/upstream/upstream_error.hpp"

#include <fmt/format.h>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "http/server/runtime.hpp"
#include "http/upstream/error_scrub.hpp"
#include "http/upstream/providers/provider_adapter.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

// An HTTP protocol violation (as opposed to a transport failure or an early close).
bool is_protocol_error(const boost::system::error_code& ec) {
  static const auto& http_category =
      boost::system::error_code(http::error::bad_version).category();
  return ec.category() == http_category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

}  // namespace

std::string connection_name(const upstream_endpoint& ep) {
  if (ep.key().idx < 0) return "the server being verified";
  return fmt::format("{} connection {}", to_string(ep.key().kind), ep.key().idx);
}

gateway_error classify_failure(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return gateway_error::upstream_timeout;
  if (is_protocol_error(ec)) return gateway_error::upstream_bad_response;
  return gateway_error::upstream_unreachable;
}

std::string describe_failure(const upstream_endpoint& ep, const boost::system::error_code& ec,
                             const runtime& rt) {
  if (ec == beast::error::timeout)
    return fmt::format("{} did not answer within {:g} s", connection_name(ep),
                       std::chrono::duration<double>(rt.cfg.upstream_first_byte_timeout).count());
  if (is_protocol_error(ec))
    return fmt::format("{} sent an invalid HTTP response", connection_name(ep));
  return fmt::format("{} failed: {}", connection_name(ep), ec.message());
}

std::pair<http::status, std::string> upstream_error_answer(unsigned status,
                                                           const std::string& body,
                                                           const upstream_endpoint& ep,
                                                           error_dialect d) {
  auto scrub = [&](std::string_view text) { return scrub_upstream_text(text, ep.secrets()); };
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    json::object fields;
    auto message = ep.adapter().error_message(v.as_object(), fields);
    if (!message.empty()) {
      message = scrub(message);
      if (d == error_dialect::ollama)
        return {static_cast<http::status>(status),
                json::serialize(json::object{{"error", message}, {"detail", message}})};
      for (auto& [k, field] : fields)
        if (field.is_string()) field = scrub(field.as_string());
      if (!fields.contains("message")) {
        fields["message"] = message;
        fields["type"] = "upstream_error";
        fields["code"] = status;
      } else {
        fields["message"] = message;
      }
      return {static_cast<http::status>(status),
              json::serialize(json::object{{"detail", message}, {"error", std::move(fields)}})};
    }
  }
  // An unreadable 5xx is the gateway's bad gateway, but for 503: "unavailable, come back later"
  // (an Ollama server busy loading a model) means the same to the client as it did to us.
  auto code = status >= 500 && status != 503 ? 502u : status;
  return {static_cast<http::status>(code),
          error_body("upstream_error", fmt::format("{} returned HTTP {}", connection_name(ep), status),
                     code, d)};
}

}  // namespace sb
