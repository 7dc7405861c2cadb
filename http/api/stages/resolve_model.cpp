#include "http/api/stages/resolve_model.hpp"

#include <fmt/format.h>

#include "http/api/list_refresh.hpp"
#include "http/api/model_routing.hpp"
#include "http/upstream/providers/provider_adapter.hpp"

namespace sb {

const model_route* find_model_route(const catalog_snapshot& c, provider_kind family,
                                    std::string_view name) {
  auto& routes = family == provider_kind::openai ? c.openai : c.ollama;
  if (auto it = routes.find(name); it != routes.end()) return &it->second;
  if (family == provider_kind::openai) return nullptr;
  auto canonical = adapter_for(provider_kind::ollama).canonical_model_name(name);
  if (auto it = routes.find(std::string_view(canonical)); it != routes.end()) return &it->second;
  return nullptr;
}

std::string model_not_found_message(provider_kind family, std::string_view name,
                                    std::optional<int> url_idx) {
  if (family == provider_kind::openai) return "Model not found";
  if (url_idx) return fmt::format("model '{}' not found on Ollama connection {}", name, *url_idx);
  return fmt::format("model '{}' not found", name);
}

namespace {

model_resolution not_found(provider_kind family, std::string_view name,
                           std::optional<int> url_idx) {
  model_resolution r;
  r.message = model_not_found_message(family, name, url_idx);
  r.model_named = name;
  return r;
}

}  // namespace

model_resolution resolve_model(std::shared_ptr<const catalog_snapshot> catalog,
                               provider_kind family, std::optional<int> url_idx,
                               std::string& body, bool waited) {
  model_resolution r;
  resolved_model m;
  // Ollama's clients may still name the model "name" (show, push, delete).
  if (auto problem = parse_chat_request(body, m.view, family == provider_kind::ollama);
      !problem.empty()) {
    r.error = gateway_error::bad_request;
    r.message = std::move(problem);
    return r;
  }
  m.route = find_model_route(*catalog, family, m.view.model);
  if (!m.route) {
    if (family == provider_kind::ollama && !waited && lists_pending(*catalog, family)) {
      r.wait_for_lists = true;
      return r;
    }
    return not_found(family, m.view.model, url_idx);
  }
  m.target = pick_target(*m.route, url_idx);
  // `{url_idx}` names a connection that does not serve the model: not found there.
  if (!m.target && url_idx) return not_found(family, m.view.model, url_idx);
  m.family = family;
  m.catalog = std::move(catalog);  // held by the relay until the answer ends
  r.found = std::move(m);
  return r;
}

}  // namespace sb
