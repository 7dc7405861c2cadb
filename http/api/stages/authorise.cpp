#include "http/api/stages/authorise.hpp"

#include "http/auth/model_access.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/providers/provider_adapter.hpp"

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

bool may_use_named_model(const runtime& rt, const principal& caller, provider_kind family,
                         std::string_view name) {
  if (!caller.user || !model_access_applies(rt.cfg, *caller.user)) return true;
  auto models = rt.models.load();
  auto accounts = rt.accounts.load();
  if (may_use_model(rt.cfg, *models, *accounts, *caller.user, name)) return true;
  if (family != provider_kind::ollama) return false;
  auto canonical = adapter_for(provider_kind::ollama).canonical_model_name(name);
  return canonical != name && may_use_model(rt.cfg, *models, *accounts, *caller.user, canonical);
}

}  // namespace sb
