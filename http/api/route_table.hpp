#pragma once
// The gateway's routes, one line each (http/api/route_table.cpp): methods, path pattern, who may
// call, handler, and which error body its clients read. The router matches, answers 404/405,
// authenticates, checks the caller's level and validates `{url_idx}` before any handler runs, so
// a handler only does its own work.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config/settings.hpp"
#include "http/api/auth.hpp"
#include "http/api/route_match.hpp"
#include "http/api/stages/resolve_model.hpp"
#include "http/server/response.hpp"
#include "messages/config_types.hpp"

namespace sb {

struct runtime;
class control_plane;
class router;

/// Methods a route answers; GET answers HEAD too.
enum method_bits : std::uint8_t { GET = 1, POST = 2, PUT = 4, DELETE = 8, PATCH = 16 };

enum class access : std::uint8_t {
  anyone,       // no credentials asked (health, version, sign-in)
  signed_in,    // any signed-in caller, a pending one too (who am I, sign out, own password)
  user,         // a signed-in user or admin (not pending)
  admin,        // an admin
  admin_write,  // an admin, and the request passes the cross-site guard (it changes state)
  metrics,      // anyone in single-user mode; with WEBUI_AUTH an admin or METRICS_API_KEY's bearer
};

/// What a handler reaches: the shared runtime, the actors (for admin writes), the caller, and the
/// validated `{url_idx}` (an index into the route's provider connections) and `{path}`.
struct api_context {
  runtime& rt;
  control_plane& cp;
  const router& routes;
  principal caller;
  std::optional<int> url_idx;
  std::string_view path;
  std::string_view id;  // `{id}`: the user or group a route names
  std::optional<resolved_model> model;  // routes with stage::by_model: what the body names
};

/// Pipeline stages a route runs before its handler, besides authentication and the role and
/// cross-site checks its access level implies (http/api/router.cpp runs them in this order). A
/// stage a route does not name costs it nothing.
enum stage_bits : std::uint8_t {
  by_model = 1,  // resolve the model the body names (http/api/stages/resolve_model.hpp)
  // A preset's id resolves to its base model, its params and system prompt applied
  // (http/api/stages/apply_preset.hpp), in the OpenAI names or mapped into Ollama's options.
  presets_openai = 2,
  presets_ollama = 4,
  // The unified API: the model is looked for among OpenAI's models, then Ollama's.
  unified = 8,
  // Pipelines inlet filters run on the request before the provider
  // (http/api/stages/inlet_filters.hpp); the model is resolved again when one changes it.
  inlet = 16,
  // A request to a model: admitted against the caller's limits and budgets, and metered (its
  // record counts in usage).
  admit = 32,
  // An admitted request that produces no output tokens (embeddings, speech): it reserves its
  // input alone.
  no_output = 64,
};

using route_handler = boost::asio::awaitable<handled> (*)(api_context&, session_io&,
                                                          client_request&);

struct route_def {
  std::uint8_t methods;
  std::string_view pattern;  // also the route's metrics label
  access who;
  route_handler handler;
  error_dialect dialect = error_dialect::openai;
  provider_kind family = provider_kind::openai;  // whose connections `{url_idx}` indexes
  std::uint8_t stages = 0;                       // stage_bits
  bool (*enabled)(const settings&) = nullptr;    // when set and false, the route does not exist
};

/// Every route, in match order (the first whose pattern and method match wins).
std::span<const route_def> route_table();

}  // namespace sb
