#pragma once
// Who a relayed request is for, as far as a connection puts it on the wire: the client's own
// Authorization (auth_type "session"), and the user and chat named by the placeholders of a
// connection's headers ({{USER_ID}}...) and by the user-info headers Open WebUI forwards
// (ENABLE_FORWARD_USER_INFO_HEADERS). Built only for routes with a connection that needs it
// (upstream_endpoint::needs_caller), so other requests pay nothing for it.
#include <string>

namespace sb {

struct caller_identity {
  std::string authorization;  // the client's Authorization value, as it came
  std::string user_id;
  std::string user_name;
  std::string user_email;
  std::string user_role;   // "admin" or "user"
  std::string chat_id;     // from the request's chat-id header, when it has one
  std::string message_id;  // from the request's message-id header, when it has one
};

}  // namespace sb
