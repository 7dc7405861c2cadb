#include "http/upstream/model_fetch.hpp"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/server/growing_string_body.hpp"
#include "http/server/log_failure.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
constexpr std::uint64_t max_list_bytes = 32ull << 20;

template <class Stream>
net::awaitable<bool> get_once(Stream& s, upstream_connection& conn, const std::string& head,
                              std::chrono::milliseconds timeout, fetch_result& r) {
  auto& lowest = beast::get_lowest_layer(s);
  lowest.expires_after(timeout);
  if (auto [ec, n] = co_await net::async_write(s, net::buffer(head), use_nothrow); ec) {
    r.error = ec.message();
    co_return false;
  }
  // Interim (1xx) answers are skipped until the final one, as on the request path.
  std::optional<http::response_parser<growing_string_body>> p;
  for (int interim = 0;; ++interim) {
    p.emplace();
    p->body_limit(max_list_bytes);
    if (auto [ec, n] = co_await http::async_read(s, conn.buffer, *p, use_nothrow); ec) {
      r.error = ec == beast::error::timeout ? "timed out" : ec.message();
      co_return false;
    }
    auto kind = classify_head(p->get().result_int(), interim);
    if (kind == head_kind::final) break;
    if (kind == head_kind::refused) {
      r.error = "unexpected interim response " + std::to_string(p->get().result_int());
      co_return false;
    }
  }
  r.status = static_cast<int>(p->get().result_int());
  r.body = std::move(p->get().body());
  co_return p->keep_alive();
}

net::awaitable<void> run_fetch(runtime& rt, std::shared_ptr<upstream_endpoint> ep, std::string path,
                               std::uint64_t generation, std::function<void(fetch_result)> done) {
  fetch_result r;
  r.generation = generation;
  const auto head = ep->request_head(http::verb::get, path, "", "application/json", 0);
  bool reused = false;
  auto conn = ep->take_idle();
  reused = conn != nullptr;
  try {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!conn) {
        boost::system::error_code ec;
        conn = co_await ep->connect(ec);
        if (!conn) {
          r.error = ec == beast::error::timeout ? "connect timed out" : ec.message();
          break;
        }
        reused = false;
      }
      r.error.clear();
      bool keep = co_await std::visit(
          [&](auto& s) { return get_once(s, *conn, head, rt.cfg.model_list_timeout, r); },
          conn->stream);
      bool ok = r.error.empty();
      ep->release(std::move(conn), ok && keep);
      if (ok || !reused) break;  // a pooled connection may have been closed: one fresh retry
      ep->stats().stale_retries.fetch_add(1, std::memory_order_relaxed);
    }
  } catch (const std::exception& e) {
    // The actor must always hear back, or it would wait for this fetch forever.
    r.error = e.what();
  }
  done(std::move(r));
}

}  // namespace

void fetch_model_list(runtime& rt, std::shared_ptr<upstream_endpoint> ep, std::string path,
                      std::uint64_t generation, std::function<void(fetch_result)> done) {
  net::co_spawn(rt.io.context(0),
                run_fetch(rt, std::move(ep), std::move(path), generation, std::move(done)),
                log_failure{"model-list fetch"});
}

}  // namespace sb
