#pragma once
// Asks the accounts actor for one change (http/api/ → control_plane → accounts_actor) and resumes
// the session's coroutine on its own thread with the answer. Account changes are rare admin and
// sign-up requests: this cross-thread round trip is off the hot path.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "messages/control_plane.hpp"

namespace sb {

// A plain function object, not a coroutine: g++ 12 mis-moves init-captures of lambdas written
// inside coroutines.
struct account_change_initiation {
  control_plane* cp;
  template <class Handler>
  void operator()(Handler&& handler, account_command cmd) const {
    namespace net = boost::asio;
    auto ex = net::get_associated_executor(handler);
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    auto work = net::make_work_guard(ex);
    cp->change_accounts(std::move(cmd), [h, ex, work](account_reply r) {
      net::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
    });
  }
};

inline auto change_accounts(control_plane& cp, account_command cmd) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(account_reply)>(
      account_change_initiation{&cp}, boost::asio::use_awaitable, std::move(cmd));
}

}  // namespace sb
