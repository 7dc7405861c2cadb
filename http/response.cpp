#include "http/response.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

namespace sb {

namespace net = boost::asio;
namespace http = boost::beast::http;

net::awaitable<handled> send_body(session_io& s, http::status status, std::string body,
                                  std::string_view content_type) {
  http::response<http::string_body> res{status, s.version};
  res.set(http::field::server, "switchboard");
  res.set(http::field::content_type, content_type);
  res.keep_alive(s.keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  s.client.expires_after(std::chrono::seconds(60));
  auto [ec, n] = co_await http::async_write(s.client, res, net::as_tuple(net::use_awaitable));
  co_return handled{static_cast<unsigned>(status), s.keep_alive && !ec};
}

net::awaitable<handled> send_error(session_io& s, gateway_error e, std::string_view message) {
  co_return co_await send_body(s, traits_of(e).status, error_body(e, message));
}

}  // namespace sb
