#pragma once
// A model list that is current when a management call answers: after a pull, create, copy or
// delete through the gateway, the server's list is fetched again, and the answer waits (a
// bounded time) until routing sees it, so a script that pulls and then chats never gets "model
// not found". A request for a model not found waits likewise for any refresh still pending.
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "http/api/route_table.hpp"
#include "messages/catalog_snapshot.hpp"

namespace sb {

class upstream_endpoint;

/// How long an answer waits for a list to be fetched again, at most.
inline constexpr std::chrono::milliseconds list_refresh_wait{5'000};

/// Has `ep`'s list fetched again now, and waits until routing sees the new list.
boost::asio::awaitable<void> refresh_list_and_wait(api_context& ctx, upstream_endpoint& ep);

/// Has `ep`'s list fetched again now, without waiting (a streamed answer is already sent).
void refresh_list(api_context& ctx, upstream_endpoint& ep);

/// Whether a connection of `kind` in `catalog` has a list refresh pending.
bool lists_pending(const catalog_snapshot& catalog, provider_kind kind);

/// Waits until no connection of `kind` in `catalog` has a list refresh pending. False when none
/// had one (the caller's answer stands as it is).
boost::asio::awaitable<bool> wait_for_pending_lists(const catalog_snapshot& catalog,
                                                    provider_kind kind);

}  // namespace sb
