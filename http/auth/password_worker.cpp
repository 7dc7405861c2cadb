#include "http/auth/password_worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sb {

namespace net = boost::asio;

namespace {

net::awaitable<std::string> on_worker(std::function<std::string()> work) { co_return work(); }

}  // namespace

password_worker::~password_worker() { pool_.join(); }

net::awaitable<std::optional<std::string>> password_worker::run(std::function<std::string()> work) {
  if (waiting_.fetch_add(1) >= max_waiting_) {
    waiting_.fetch_sub(1);
    co_return std::nullopt;
  }
  struct done {
    std::atomic<unsigned>& n;
    ~done() { n.fetch_sub(1); }
  } counted{waiting_};
  // Runs on the worker's thread; this coroutine resumes on its own executor with the result.
  auto result = co_await net::co_spawn(pool_, on_worker(std::move(work)), net::use_awaitable);
  co_return result;
}

}  // namespace sb
