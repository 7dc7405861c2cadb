#pragma once
// Pipeline stage "authorise", from the request's head alone, after authentication: whether the
// caller's role may use the route (its access level: a pending user only what signed_in allows,
// admins what admin allows), and the cross-site guard (http/api/cross_site_guard.hpp) for
// anything but a read: a web page on another site may not drive a signed-in browser. Then, once
// the model stage has read which model the request names, whether the caller may use that model
// (http/auth/model_access.hpp); a refused model is answered exactly as an unknown one.
#include <optional>

#include "http/api/auth.hpp"
#include "http/api/cross_site_guard.hpp"
#include "http/api/route_table.hpp"

namespace sb {

/// Why `caller` may not make this request to `route`, or nothing when it may.
std::optional<refusal> refuse_unauthorised(const route_def& route, const principal& caller,
                                           const client_request& req, const settings& cfg);

/// Whether `caller` may use the model a request of `family` names `name` (Ollama's also under
/// its implied ":latest").
bool may_use_named_model(const runtime& rt, const principal& caller, provider_kind family,
                         std::string_view name);

}  // namespace sb
