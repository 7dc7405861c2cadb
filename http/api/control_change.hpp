#pragma once
// Asks an actor for one change (http/api/ -> control_plane -> accounts or models actor), or the
// usage actor for a report, and resumes the session's coroutine on its own thread with the
// answer. Such requests are rare admin, sign-up, workspace and report requests: this
// cross-thread round trip is off the hot path.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>

#include "messages/control_plane.hpp"

namespace sb {

// A plain function object, not a coroutine: g++ 12 mis-moves init-captures of lambdas written
// inside coroutines.
template <class Command, class Reply>
struct control_change_initiation {
  control_plane* cp;
  void (control_plane::*ask)(Command, std::function<void(Reply)>);
  template <class Handler>
  void operator()(Handler&& handler, Command cmd) const {
    namespace net = boost::asio;
    auto ex = net::get_associated_executor(handler);
    auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
    auto work = net::make_work_guard(ex);
    (cp->*ask)(std::move(cmd), [h, ex, work](Reply r) {
      net::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
    });
  }
};

inline auto change_accounts(control_plane& cp, account_command cmd) {
  using initiation = control_change_initiation<account_command, account_reply>;
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(account_reply)>(
      initiation{&cp, &control_plane::change_accounts}, boost::asio::use_awaitable,
      std::move(cmd));
}

inline auto change_models(control_plane& cp, model_command cmd) {
  using initiation = control_change_initiation<model_command, model_reply>;
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(model_reply)>(
      initiation{&cp, &control_plane::change_models}, boost::asio::use_awaitable, std::move(cmd));
}

inline auto change_limits(control_plane& cp, limit_command cmd) {
  using initiation = control_change_initiation<limit_command, limit_reply>;
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(limit_reply)>(
      initiation{&cp, &control_plane::change_limits}, boost::asio::use_awaitable, std::move(cmd));
}

inline auto read_usage(control_plane& cp, usage_query q) {
  using initiation = control_change_initiation<usage_query, usage_table>;
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(usage_table)>(
      initiation{&cp, &control_plane::read_usage}, boost::asio::use_awaitable, std::move(q));
}

}  // namespace sb
