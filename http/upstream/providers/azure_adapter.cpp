// Azure OpenAI connections (`azure: true`): a deployment per model, so the model goes into the
// path ({url}/openai/deployments/{model}/{endpoint}?api-version={v}) and out of the body; the key
// travels as `api-key`; a chat body is limited to the fields Azure accepts (Open WebUI's list),
// stream_options only from api-version 2024-09-01-preview on. Azure's model list cannot be read
// with a key alone: the connection's model_ids are its list.
#include <boost/json.hpp>
#include <string>

#include "http/upstream/percent_encode.hpp"
#include "http/upstream/providers/json_members.hpp"
#include "http/upstream/providers/model_entries.hpp"
#include "http/upstream/providers/provider_adapter.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// What Azure's chat completions accept (Open WebUI's convert_to_azure_payload).
bool azure_chat_field(std::string_view name, bool stream_options) {
  static constexpr std::string_view allowed[] = {
      "messages",      "temperature",     "role",          "content",
      "contentPart",   "contentPartImage", "enhancements", "dataSources",
      "n",             "stream",          "stop",          "max_tokens",
      "presence_penalty", "frequency_penalty", "logit_bias", "user",
      "function_call", "functions",       "tools",         "tool_choice",
      "top_p",         "log_probs",       "top_logprobs",  "response_format",
      "seed",          "max_completion_tokens", "reasoning_effort"};
  for (auto a : allowed)
    if (name == a) return true;
  return stream_options && name == "stream_options";
}

// A deployment name as one path segment.
std::string path_segment(std::string_view s) { return percent_encode(s); }

class azure_adapter final : public provider_adapter {
 public:
  const char* model_list_path() const override { return "/openai/models"; }
  bool lists_without_fetch(const connection_spec&) const override { return true; }

  // Azure can list a resource's models with its key and an api-version (Open WebUI's verify).
  std::string verify_path(const connection_spec& spec) const override {
    return std::string(model_list_path()) + "?api-version=" + path_segment(spec.api_version);
  }

  std::vector<model_entry> synthesize_model_list(const connection_spec& spec) const override {
    std::vector<model_entry> out;
    for (auto& id : spec.model_ids)
      out.push_back(openai_list_entry(spec, json::object{{"id", id}}, id));
    return out;
  }

  std::optional<parsed_model_list> parse_model_list(const connection_spec& spec,
                                                    std::string_view,
                                                    std::string&) const override {
    return parsed_model_list{synthesize_model_list(spec)};
  }

  std::string auth_headers(const connection_spec& spec) const override {
    if (spec.auth != auth_type::bearer || spec.api_key.empty()) return {};
    return "api-key: " + spec.api_key.reveal() + "\r\n";
  }

  std::string error_message(const json::object& body, json::object& fields) const override {
    return openai_error_message(body, fields);
  }

  framing default_stream_framing() const override { return framing::sse; }

  bool rewrites_requests() const override { return true; }

  void rewrite_request(const connection_spec& spec, std::string_view model, std::string& path,
                       std::string& body) const override {
    bool chat = path == "/chat/completions";
    // api-version strings sort by date ("2024-09-01-preview" > "2024-08-01-preview").
    bool stream_options = spec.api_version >= "2024-09-01-preview";
    remove_top_level_members(body, [&](std::string_view name) {
      return name == "model" || (chat && !azure_chat_field(name, stream_options));
    });
    path = "/openai/deployments/" + path_segment(model) + path + "?api-version=" +
           path_segment(spec.api_version);
  }
};

}  // namespace

const provider_adapter& azure_provider() {
  static const azure_adapter a;
  return a;
}

}  // namespace sb
