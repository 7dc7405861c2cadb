#pragma once
// Pipeline stage "resolve the model", for every route the table routes by model: reads the
// body's model (and stream flag) in place, finds the model in the catalog snapshot of the route's
// family, and picks the connection (`{url_idx}`'s, else by the model's balancing policy). One
// place for every family, so prefixed ids and `url_idx` now, and custom and unified ids later,
// are resolved once. Synchronous: it reads a snapshot and decides.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/api/chat_request.hpp"
#include "http/server/errors.hpp"
#include "messages/catalog_snapshot.hpp"
#include "messages/config_types.hpp"

namespace sb {

/// What the stage found: the snapshot it read (which owns `route` and `target`), the model's
/// route, the connection picked (null when none may take it now: answer_all_down), and the
/// body's model and stream flag.
struct resolved_model {
  std::shared_ptr<const catalog_snapshot> catalog;
  const model_route* route = nullptr;
  const route_target* target = nullptr;
  chat_request_view view;
  provider_kind family = provider_kind::openai;  // whose catalog it was found in
  // When the client named a preset (view.model is then its base): its id, and the body as the
  // client sent it, which inlet filters see (Open WebUI runs them before the preset applies).
  // Behind a pointer: this lives in the router's coroutine frame, which must stay small.
  struct preset_origin {
    std::string id;
    std::string body;
  };
  std::unique_ptr<preset_origin> preset;

  std::string_view named_id() const { return preset ? std::string_view(preset->id) : view.model; }
};

/// The stage's verdict: the model found, or the error to answer, or (Ollama) to look again once
/// lists being fetched anew are in (a model pulled or created a moment ago).
struct model_resolution {
  std::optional<resolved_model> found;
  gateway_error error = gateway_error::model_not_found;
  std::string message;
  bool wait_for_lists = false;
  std::string model_named;  // not found: the model the body named (a preset's id, perhaps)
};

/// The route of model `name` as a client wrote it (Ollama's also with its implied ":latest"), or
/// null: the one lookup of a model by name, for routes that read the name from other fields too.
const model_route* find_model_route(const catalog_snapshot& c, provider_kind family,
                                    std::string_view name);

/// What a client is told when the model is not there (on `url_idx`'s connection).
std::string model_not_found_message(provider_kind family, std::string_view name,
                                    std::optional<int> url_idx);

/// Resolves the model `body` names for a route of `family`. `waited`: the lists were waited for
/// once already (then a model still missing is not found).
model_resolution resolve_model(std::shared_ptr<const catalog_snapshot> catalog,
                               provider_kind family, std::optional<int> url_idx,
                               std::string& body, bool waited);

}  // namespace sb
