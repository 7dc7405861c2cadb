#pragma once
// Choosing the connection a model request goes to (by the model's load-balancing policy, over
// the connections whose health allows it), and moving the request to another one when the first
// fails before anything reached the client: shared by every route that is routed by model.
#include <boost/asio/awaitable.hpp>
#include <optional>

#include "http/balancing/pick.hpp"
#include "http/server/response.hpp"
#include "http/upstream/upstream_relay.hpp"
#include "messages/catalog_snapshot.hpp"

namespace sb {

struct runtime;

/// The connection a request for the model goes to. With `url_idx`, the connection of that index
/// (null when it does not serve the model), whatever its health. Otherwise the route's policy
/// picks among the healthy connections not in `tried`; when none is healthy, among the reachable
/// ones (ejected or throttled: an ejection never leaves a model without a connection); null when
/// every one is unreachable (answer with answer_all_down).
const route_target* pick_target(const model_route& r, std::optional<int> url_idx = std::nullopt,
                                candidate_set tried = 0);

/// Relays `up` to `first`. When `fail_over`, a failure before any byte reached the client
/// (unreachable, broken, 5xx, or 429, whose Retry-After then keeps the connection aside) moves it
/// to another connection serving the same upstream model, never one already tried, within the
/// retry budget (RETRY_MAX_ATTEMPTS attempts, RETRY_DEADLINE overall). The awaitable owns what it
/// needs (the snapshot `route` belongs to, the request), so a handler may return it without
/// awaiting it: a handler that is not a coroutine itself saves a frame per request.
boost::asio::awaitable<handled> relay_with_failover(session_io& s, runtime& rt,
                                                    std::shared_ptr<const catalog_snapshot> catalog,
                                                    const model_route& route,
                                                    const route_target* first,
                                                    upstream_request up, bool fail_over);

/// The fast answer when pick_target found nothing: 429 with the soonest Retry-After when every
/// reachable connection serving the model is throttled (no upstream is called), otherwise 503
/// with Retry-After (every one is unreachable).
boost::asio::awaitable<handled> answer_all_down(session_io& s, const model_route& route,
                                                std::string model);
/// 503: every connection serving the model is unreachable.
boost::asio::awaitable<handled> answer_unreachable_all(session_io& s, const model_route& route,
                                                       std::string model);
/// 429 with the soonest Retry-After of the model's throttled connections.
boost::asio::awaitable<handled> answer_throttled(session_io& s, const model_route& route,
                                                 std::string model);

/// An error answer that owns its message (for handlers that return rather than await it).
boost::asio::awaitable<handled> answer_error(session_io& s, gateway_error e, std::string message);

}  // namespace sb
