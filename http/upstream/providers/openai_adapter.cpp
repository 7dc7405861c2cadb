// OpenAI-compatible connections (OpenAI, vLLM, llama.cpp, LM Studio, ...): GET {url}/models with
// a Bearer key, SSE streams, errors as {"error": {"message", "type", "code", "param"}}.
#include <boost/json.hpp>

#include "http/upstream/providers/model_entries.hpp"
#include "http/upstream/providers/provider_adapter.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// api.openai.com lists models no chat client can use; Open WebUI hides them. They stay routable
// (embeddings, speech), only unlisted.
bool is_openai_non_chat(std::string_view id) {
  for (auto bad : {"babbage", "dall-e", "davinci", "embedding", "tts", "whisper"})
    if (id.find(bad) != std::string_view::npos) return true;
  return false;
}

// Open WebUI's merge_models_lists entry: the model, named, owned_by "openai", the raw model
// under "openai", and the connection's index.
model_entry openai_entry(const connection_spec& spec, json::object model, std::string upstream_id) {
  auto id = exposed_model_id(spec, upstream_id);
  model["id"] = id;
  decorate_model(spec, model);
  json::object entry = model;
  if (!entry.contains("name")) entry["name"] = id;
  entry["owned_by"] = "openai";
  entry["openai"] = model;
  entry["urlIdx"] = spec.key.idx;
  return {id, std::move(upstream_id), json::serialize(entry)};
}

class openai_adapter final : public provider_adapter {
 public:
  const char* model_list_path() const override { return "/models"; }

  // Open WebUI does not call /models when the allow-list names the models.
  bool lists_without_fetch(const connection_spec& spec) const override {
    return !spec.model_ids.empty();
  }

  std::vector<model_entry> synthesize_model_list(const connection_spec& spec) const override {
    std::vector<model_entry> out;
    for (auto& id : spec.model_ids) out.push_back(openai_entry(spec, json::object{{"id", id}}, id));
    return out;
  }

  std::optional<std::vector<model_entry>> parse_model_list(const connection_spec& spec,
                                                           std::string_view body,
                                                           std::string& error) const override {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec) {
      error = "model list is not valid JSON";
      return std::nullopt;
    }
    auto* data = model_array(v, "data", true, error);
    if (!data) return std::nullopt;
    bool official = spec.url.find("api.openai.com") != std::string::npos;
    std::vector<model_entry> out;
    for (auto& m : *data) {
      if (!m.is_object()) continue;
      auto* id = m.as_object().if_contains("id");
      if (!id || !id->is_string()) continue;
      std::string upstream_id(id->as_string());
      if (!allowed_model(spec, upstream_id)) continue;
      bool chat = !(official && is_openai_non_chat(upstream_id));
      out.push_back(openai_entry(spec, m.as_object(), std::move(upstream_id)));
      out.back().listed = chat;
    }
    return out;
  }

  std::string error_message(const json::object& o, json::object& fields) const override {
    std::string message;
    if (auto* e = o.if_contains("error")) {
      if (e->is_object()) {
        for (auto& [k, field] : e->as_object()) {
          if (k != "message" && k != "type" && k != "code" && k != "param") continue;
          if (field.is_string() || field.is_number() || field.is_bool() || field.is_null())
            fields[k] = field;
        }
        if (auto* m = fields.if_contains("message"); m && m->is_string())
          message = std::string(m->as_string());
      } else if (e->is_string()) {
        message = std::string(e->as_string());
      }
    } else if (auto* d = o.if_contains("detail"); d && d->is_string()) {
      message = std::string(d->as_string());
    }
    return message;
  }

  framing default_stream_framing() const override { return framing::sse; }

  // OpenRouter attributes requests by these, and Open WebUI sends them: a user who points Open
  // WebUI at the gateway keeps the attribution they had.
  std::vector<std::pair<std::string, std::string>> etiquette_headers(
      std::string_view host) const override {
    if (host != "openrouter.ai" && !host.ends_with(".openrouter.ai")) return {};
    return {{"HTTP-Referer", "https://openwebui.com/"}, {"X-Title", "Open WebUI"}};
  }
};

}  // namespace

const provider_adapter& openai_provider() {
  static const openai_adapter a;
  return a;
}

}  // namespace sb
