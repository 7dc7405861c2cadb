#include "http/api/stages/authorise.hpp"

namespace sb {

namespace {

// Whether a caller of `level` may use a route open to `who` (signed in already).
bool may_use(access who, account_role level) {
  switch (who) {
    case access::anyone:
    case access::signed_in:
      return true;
    case access::user:
      return level != account_role::pending;
    case access::admin:
    case access::admin_write:
    case access::metrics:
      return level == account_role::admin;
  }
  return false;
}

}  // namespace

std::optional<refusal> refuse_unauthorised(const route_def& route, const principal& caller,
                                           const client_request& req, const settings& cfg) {
  if (!may_use(route.who, caller.level()))
    return refusal{gateway_error::forbidden, "Access prohibited"};
  if (route.who == access::admin_write) return refuse_cross_site(req, cfg.browser_hosts());
  if (req.method() != boost::beast::http::verb::get &&
      req.method() != boost::beast::http::verb::head)
    return refuse_foreign_browser(req, cfg.browser_hosts());
  return std::nullopt;
}

}  // namespace sb
