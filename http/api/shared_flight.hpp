#pragma once
// Upstream calls made for a client, bound to it: abandoned the moment it leaves, as the relay's
// are. And fan-outs that anyone may ask for (/ollama/api/version, /api/ps) shared: concurrent
// identical ones on an I/O thread wait for one flight of calls, so a flood of them, or a server
// that never answers, costs one call per server, not one per request.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/server/response.hpp"
#include "http/upstream/cancel_group.hpp"
#include "http/upstream/upstream_call.hpp"

namespace sb {

using upstream_calls = std::vector<boost::asio::awaitable<upstream_reply>>;

/// Runs `calls` (made with tokens of `cancel`) for the client of `s`: all of them are cancelled
/// when it leaves, and the replies are nothing then.
boost::asio::awaitable<std::optional<std::vector<upstream_reply>>> call_for_client(
    session_io& s, std::shared_ptr<cancel_group> cancel, upstream_calls calls);

/// Joins the flight named `key` on this I/O thread, or starts it with the calls `start` makes
/// (with tokens of the group it is given). The flight's replies, or nothing when the client of
/// `s` left first; the flight is cancelled when every client waiting for it has left.
boost::asio::awaitable<std::optional<std::vector<upstream_reply>>> join_flight(
    session_io& s, std::string key,
    std::function<upstream_calls(const std::shared_ptr<cancel_group>&)> start);

/// One call as the list call_for_client takes.
inline upstream_calls one_call(boost::asio::awaitable<upstream_reply> call) {
  upstream_calls calls;
  calls.push_back(std::move(call));
  return calls;
}

/// The answer a session gives a client that left: nothing is written; 499 for the metrics.
inline handled client_left() { return handled{499, false}; }

}  // namespace sb
