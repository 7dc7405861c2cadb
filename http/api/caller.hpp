#pragma once
// Who a request is for, in the shape connections put on the wire (caller_identity): the signed-in
// principal, the client's own Authorization, and the chat and message ids its request names under
// Open WebUI's header names (X-OpenWebUI-Chat-Id, X-OpenWebUI-Message-Id, or as configured).
#include <memory>

#include "http/api/route_table.hpp"
#include "http/upstream/caller_identity.hpp"

namespace sb {

std::shared_ptr<const caller_identity> caller_identity_of(const api_context& ctx,
                                                          const client_request& req);

}  // namespace sb
