#include "http/runtime.hpp"

#include <unistd.h>

#include <algorithm>
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

// Unless configured: an eighth of physical memory, at least 256 MiB.
static std::uint64_t pick_buffer_budget(std::uint64_t configured) {
  if (configured > 0) return configured;
  auto pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  std::uint64_t ram = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * page : 0;
  return std::max<std::uint64_t>(ram / 8, 256ull << 20);
}

runtime::runtime(settings s)
    : cfg(std::move(s)),
      io(pick_threads(cfg.io_threads)),
      tls_client(make_tls_client(cfg.verify_tls)),
      buffers(pick_buffer_budget(cfg.max_buffered_bytes)) {}

}  // namespace sb
