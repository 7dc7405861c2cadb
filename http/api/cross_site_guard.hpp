#pragma once
// State-changing routes and web pages. In single-user mode every caller is the admin, so a web page
// the admin visits could post to the gateway from their browser (CSRF): a form can send text/plain
// cross-origin without asking, and fetch() can send JSON with a foreign Origin. A state-changing
// request must therefore be JSON (which a browser only sends cross-origin after a CORS preflight,
// which the gateway never grants) and must not come from a foreign browser origin.
#include <optional>
#include <string>
#include <vector>

#include "http/server/errors.hpp"
#include "http/server/response.hpp"

namespace sb {

struct refusal {
  gateway_error error;
  std::string message;
};

/// Why `req`, a request that would change state, is refused, or nothing. Non-browser clients (no
/// Origin, no Sec-Fetch-Site) pass when they send JSON. A browser's request must also address the
/// gateway by a name that can only be the gateway -- an IP address, localhost, or one of
/// `allowed_hosts` (WEBUI_URL's host and ALLOWED_HOSTS): after DNS rebinding, a page at
/// evil.example talks to the gateway as "evil.example", same-origin with itself.
std::optional<refusal> refuse_cross_site(const client_request& req,
                                         const std::vector<std::string>& allowed_hosts);

/// The browser half of refuse_cross_site, for requests that use the stored keys and upstream
/// compute without changing configuration (any POST of a signed-in caller): a page on another
/// site may not have the admin's browser send them. A browser sends any cross-origin POST with
/// its Origin (and Sec-Fetch-Site), even a "simple" text/plain one that needs no preflight.
/// Non-browser clients, which send neither, pass whatever their Content-Type.
std::optional<refusal> refuse_foreign_browser(const client_request& req,
                                              const std::vector<std::string>& allowed_hosts);

}  // namespace sb
