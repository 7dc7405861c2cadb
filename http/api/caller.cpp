#include "http/api/caller.hpp"

#include "http/server/field_value.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace http = boost::beast::http;

std::shared_ptr<const caller_identity> caller_identity_of(const api_context& ctx,
                                                          const client_request& req) {
  auto who = std::make_shared<caller_identity>();
  // auth_type "session" forwards the caller's own sign-in token, never an API key of the
  // gateway's; in single-user mode, the client's Authorization as it came.
  if (ctx.caller.via == credential_kind::single_user)
    who->authorization = std::string(field_value(req, http::field::authorization));
  else if (!ctx.caller.token.empty())
    who->authorization = "Bearer " + std::string(ctx.caller.token);
  who->user_id = ctx.caller.id();
  who->user_name = ctx.caller.name();
  who->user_email = ctx.caller.email();
  who->user_role = to_string(ctx.caller.level());
  auto& names = ctx.rt.cfg.user_info_headers;
  if (auto it = req.find(names.chat_id); it != req.end()) who->chat_id = std::string(it->value());
  if (auto it = req.find(names.message_id); it != req.end())
    who->message_id = std::string(it->value());
  return who;
}

}  // namespace sb
