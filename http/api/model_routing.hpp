#pragma once
// Choosing the connection a model request goes to, and moving it to another one when the first
// cannot be reached: shared by every route that is routed by model.
#include <boost/asio/awaitable.hpp>
#include <optional>

#include "http/server/response.hpp"
#include "http/upstream/upstream_relay.hpp"
#include "messages/catalog_snapshot.hpp"

namespace sb {

struct runtime;

/// The next healthy connection serving the model, round-robin; when none is healthy, the next one
/// anyway (health is a hint from the last probe, the request itself is the real test). With
/// `url_idx`, the connection of that index, or null when it does not serve the model.
const route_target* pick_target(const model_route& r, std::optional<int> url_idx = std::nullopt);

/// Relays `up` to `first`; when it cannot be reached (nothing was sent, so nothing is repeated)
/// and `fail_over`, to the next healthy connection serving the same upstream model. The awaitable
/// owns what it needs (the snapshot `route` belongs to, the request), so a handler may return it
/// without awaiting it: a handler that is not a coroutine itself saves a frame per request.
boost::asio::awaitable<handled> relay_with_failover(session_io& s, runtime& rt,
                                                    std::shared_ptr<const catalog_snapshot> catalog,
                                                    const model_route& route,
                                                    const route_target* first,
                                                    upstream_request up, bool fail_over);

/// An error answer that owns its message (for handlers that return rather than await it).
boost::asio::awaitable<handled> answer_error(session_io& s, gateway_error e, std::string message);

}  // namespace sb
