// OpenAI-compatible connections (OpenAI, vLLM, llama.cpp, LM Studio, ...): GET {url}/models with
// a Bearer key, SSE streams, errors as {"error": {"message", "type", "code", "param"}}.
#include <boost/json.hpp>

#include "http/server/json_numbers.hpp"
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

// A Pipelines server's item carries `pipeline: {type, pipelines, priority, valves}`: a filter
// (type "filter") runs around other models' requests; any other truthy `pipeline` is a model of
// the server's own (a pipe), whose requests carry who they are for. Every model of a seed-form
// pipeline server (server_filters) is a pipe. A filter item of a list that does not say
// "pipelines" is marked a filter with no targets: dropped from lists and routes, running nowhere.
void read_pipeline(const json::object& item, const connection_spec& spec, bool pipelines_server,
                   model_entry& out) {
  if (spec.server_filters) out.pipeline = pipeline_role::pipe;
  auto* p = item.if_contains("pipeline");
  if (!p || p->is_null() || (p->is_object() && p->as_object().empty()) ||
      (p->is_bool() && !p->as_bool()))
    return;
  out.pipeline = pipeline_role::pipe;
  if (!p->is_object()) return;
  auto& o = p->as_object();
  auto* type = o.if_contains("type");
  if (!type || !type->is_string() || type->as_string() != "filter") return;
  // A filter sees every request it names, to any provider: only a list that says it comes from
  // a Pipelines server may declare one. Elsewhere such an item is no model at all.
  out.pipeline = pipeline_role::filter;
  out.listed = false;
  if (!pipelines_server) return;
  if (auto* priority = o.if_contains("priority"))
    out.filter_priority = json_int64(*priority).value_or(0);
  if (auto* targets = o.if_contains("pipelines"); targets && targets->is_array())
    for (auto& t : targets->as_array())
      if (t.is_string()) out.filter_targets.emplace_back(t.as_string());
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
    for (auto& id : spec.model_ids) out.push_back(openai_list_entry(spec, json::object{{"id", id}}, id));
    return out;
  }

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
    auto* data = model_array(v, "data", true, error);
    if (!data) return std::nullopt;
    bool official = is_official_openai(spec);
    parsed_model_list out;
    out.pipelines = v.is_object() && v.as_object().contains("pipelines");
    for (auto& m : *data) {
      if (!m.is_object()) continue;
      auto* id = m.as_object().if_contains("id");
      if (!id || !id->is_string()) continue;
      std::string upstream_id(id->as_string());
      if (!allowed_model(spec, upstream_id)) continue;
      bool chat = !(official && is_openai_non_chat(upstream_id));
      out.models.push_back(openai_list_entry(spec, m.as_object(), std::move(upstream_id)));
      out.models.back().listed = chat;
      read_pipeline(m.as_object(), spec, out.pipelines, out.models.back());
    }
    return out;
  }

  std::string error_message(const json::object& o, json::object& fields) const override {
    return openai_error_message(o, fields);
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
