// Ollama servers: GET {url}/api/tags (key, when configured, as Bearer: Ollama behind an
// authenticating proxy), NDJSON streams, errors as {"error": "..."}, model names with a tag
// (":latest" when none is written).
#include <boost/json.hpp>

#include "http/server/json_numbers.hpp"
#include "http/upstream/providers/model_entries.hpp"
#include "http/upstream/providers/provider_adapter.hpp"

namespace sb {

namespace json = boost::json;

namespace {

class ollama_adapter final : public provider_adapter {
 public:
  const char* model_list_path() const override { return "/api/tags"; }
  // Open WebUI's verify asks an Ollama server for its version.
  std::string verify_path(const connection_spec&) const override { return "/api/version"; }

  // Open WebUI's entries: the upstream's own object, "model" (and the name, for clients that read
  // it) renamed with the prefix, tags and connection_type set. The merge adds "urls".
  std::optional<parsed_model_list> parse_model_list(const connection_spec& spec,
                                                    std::string_view body,
                                                    std::string& error) const override {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec) {
      error = "model list is not valid JSON";
      return std::nullopt;
    }
    null_non_finite(v);  // rendered again for the lists
    auto* models = model_array(v, "models", false, error);
    if (!models) return std::nullopt;
    parsed_model_list out;
    for (auto& m : *models) {
      if (!m.is_object()) continue;
      auto model = m.as_object();
      auto* name = model.if_contains("model");
      if (!name || !name->is_string()) name = model.if_contains("name");
      if (!name || !name->is_string()) continue;
      std::string upstream_id(name->as_string());
      if (!allowed_model(spec, upstream_id)) continue;
      auto id = exposed_model_id(spec, upstream_id);
      model["model"] = id;
      if (!spec.prefix_id.empty()) model["name"] = id;
      decorate_model(spec, model);
      out.models.push_back({id, std::move(upstream_id), json::serialize(model), true, {}, 0, {}});
    }
    return out;
  }

  std::string canonical_model_name(std::string_view name) const override {
    if (name.find(':') != std::string_view::npos) return std::string(name);
    return std::string(name) + ":latest";
  }

  // Ollama's own routes say {"error": "..."}; its OpenAI-compatible /v1 routes say OpenAI's
  // {"error": {"message": ...}}.
  std::string error_message(const json::object& o, json::object& fields) const override {
    if (auto* e = o.if_contains("error"); e && e->is_string()) return std::string(e->as_string());
    if (auto* d = o.if_contains("detail"); d && d->is_string()) return std::string(d->as_string());
    return openai_error_message(o, fields);
  }

  framing default_stream_framing() const override { return framing::ndjson; }
};

}  // namespace

const provider_adapter& ollama_provider() {
  static const ollama_adapter a;
  return a;
}

}  // namespace sb
