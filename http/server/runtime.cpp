#include "http/server/runtime.hpp"

#include "http/server/resource_limits.hpp"

#include <thread>

namespace sb {

namespace {
unsigned pick_threads(unsigned configured) {
  if (configured > 0) return configured;
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

boost::asio::ssl::context make_tls_client(bool verify) {
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  ctx.set_options(boost::asio::ssl::context::default_workarounds |
                  boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3);
  if (verify) {
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(boost::asio::ssl::verify_peer);
  } else {
    ctx.set_verify_mode(boost::asio::ssl::verify_none);
  }
  return ctx;
}
}  // namespace

runtime::runtime(settings s)
    : cfg(std::move(s)),
      io(pick_threads(cfg.io_threads)),
      tls_client(make_tls_client(cfg.verify_tls)),
      buffers(resolve_buffer_budget(cfg.max_buffered_bytes)) {}

}  // namespace sb
