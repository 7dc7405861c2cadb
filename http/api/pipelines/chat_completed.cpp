// POST /api/chat/completed (Open WebUI's chat_completed): the Pipelines outlet filters of the
// model a finished chat used run on {model, messages, chat_id, session_id, id, ...} in the
// inlet's order (the pipe's own outlet first), and what the last one answers is the answer. An
// outlet filter never refuses: one that fails is passed over (only an answer the memory budget
// cannot hold stops it, 503). The model must be one the caller may use (a preset's id too), or
// it is Open WebUI's 400 "Model not found".
#include <boost/json.hpp>

#include "http/api/json_depth.hpp"
#include "http/api/handlers.hpp"
#include "http/api/model_routing.hpp"
#include "http/api/pipelines/filter_chain.hpp"
#include "http/api/stages/authorise.hpp"
#include "http/api/stages/inlet_filters.hpp"
#include "http/server/memory_budget.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

// The model a finished chat names, as the inlet resolved it: a base model of either family, or a
// preset over one (whose filters are the preset's and its base model's).
std::optional<resolved_model> finished_model(const api_context& ctx, const std::string& named) {
  auto catalog = ctx.rt.catalog.load();
  resolved_model m;
  auto find = [&](std::string_view id) {
    for (auto family : {provider_kind::openai, provider_kind::ollama})
      if ((m.route = find_model_route(*catalog, family, id))) {
        m.family = family;
        return;
      }
  };
  m.view.model = named;
  find(named);
  if (!m.route) {
    auto models = ctx.rt.models.load();
    auto* preset = models->find(named);
    if (!preset || preset->base_model_id.empty() || !preset->is_active) return std::nullopt;
    m.preset.reset(new resolved_model::preset_origin{named, {}});
    m.view.model = preset->base_model_id;
    find(m.view.model);
  }
  if (!m.route || !may_use_named_model(ctx.rt, ctx.caller, m.family, named)) return std::nullopt;
  // The connection whose pipe's own outlet runs: the first one serving it, not a new pick (which
  // would move the balancing and skip an ejected one).
  m.target = m.route->targets.empty() ? nullptr : &m.route->targets.front();
  m.catalog = std::move(catalog);
  return m;
}

// The model a finished chat names; and the form without Open WebUI's front end's `model_item`
// (the whole model entry, which Open WebUI pops before the filters see the form).
std::string named_model(std::string& body) {
  boost::system::error_code ec;
  auto v = parse_body_json(body, ec);
  if (ec || !v.is_object()) return {};
  auto& form = v.as_object();
  auto* model = form.if_contains("model");
  std::string named = model && model->is_string() ? std::string(model->as_string()) : std::string();
  if (form.erase("model_item") > 0) body = json::serialize(form);
  return named;
}

}  // namespace

route_result api_chat_completed(api_context& ctx, session_io& s, client_request& req) {
  if (!is_json_object_text(req.body()))
    co_return co_await send_error(s, gateway_error::bad_request, "the body is not a JSON object");
  auto named = named_model(req.body());
  auto model = named.empty() ? std::nullopt : finished_model(ctx, named);
  if (!model) co_return co_await send_error(s, gateway_error::bad_request, "Model not found");
  if (s.record) s.record->model = named;
  std::string body = std::move(req.body());
  std::shared_ptr<budget_lease> held;  // the answer's place in the memory budget, until sent
  if (filters_apply(*model)) {
    pipeline_filter own;
    auto chain = filter_chain_of(*model, true, own);
    auto verdict = co_await run_filter_chain(s, ctx.rt, std::move(chain), filter_phase::outlet,
                                             ctx.caller, body);
    if (verdict.end != filter_verdict::passed)
      co_return co_await answer_filter_verdict(s, std::move(verdict));
    held = std::move(verdict.held);
  }
  co_return co_await send_body(s, http::status::ok, std::move(body));
}

}  // namespace sb
