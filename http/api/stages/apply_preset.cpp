#include "http/api/json_depth.hpp"
#include "http/api/stages/apply_preset.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <ctime>
#include <optional>
#include <set>

#include "http/server/json_numbers.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// Params only Open WebUI reads; the upstream never sees them.
const std::set<std::string, std::less<>> open_webui_only = {
    "stream_response", "stream_delta_chunk_size", "function_calling", "system", "custom_params"};

// Ollama's options Open WebUI casts, and the params it lifts to the root of the request.
const std::set<std::string, std::less<>> ollama_root = {"format", "keep_alive", "think"};
const std::set<std::string, std::less<>> ollama_floats = {
    "temperature", "top_p", "min_p", "typical_p", "repeat_penalty", "presence_penalty",
    "frequency_penalty", "mirostat_eta", "mirostat_tau"};
const std::set<std::string, std::less<>> ollama_ints = {
    "seed", "mirostat", "num_ctx", "num_batch", "num_keep", "num_predict", "repeat_last_n",
    "top_k", "num_gpu", "main_gpu", "num_thread"};
const std::set<std::string, std::less<>> openai_floats = {
    "temperature", "top_p", "min_p", "frequency_penalty", "presence_penalty"};
const std::set<std::string, std::less<>> openai_ints = {"max_tokens", "seed"};

// A string param holding JSON (Open WebUI's custom params, format, keep_alive) as its value.
json::value json_or_text(const json::value& v) {
  if (!v.is_string()) return v;
  boost::system::error_code ec;
  auto parsed = json::parse(v.as_string(), ec);
  if (ec) return v;
  null_non_finite(parsed);
  return parsed;
}

// Open WebUI's float() and int() casts; nothing for what is not a finite number in range (NaN
// and Infinity are not JSON, and an out-of-range integer cast is undefined).
std::optional<json::value> cast_to(const json::value& v, bool to_float) {
  json::value number = v;
  if (v.is_string()) number = std::strtod(std::string(v.as_string()).c_str(), nullptr);
  else if (!v.is_number()) return v;
  if (!to_float) {
    auto n = json_int64(number);
    return n ? std::optional<json::value>(*n) : std::nullopt;
  }
  auto d = json_double(number);
  return d && std::isfinite(*d) ? std::optional<json::value>(*d) : std::nullopt;
}

void set_cast(json::object& into, std::string_view key, const json::value& v, bool to_float) {
  if (auto cast = cast_to(v, to_float)) into[key] = std::move(*cast);
}

json::value stop_list(const json::value& v) {
  if (v.is_array()) return v;
  json::array one;
  one.push_back(v);
  return one;
}

void apply_openai_param(json::object& body, std::string_view key, const json::value& v) {
  if (openai_floats.contains(key)) set_cast(body, key, v, true);
  else if (openai_ints.contains(key)) set_cast(body, key, v, false);
  else if (key == "stop") body[key] = stop_list(v);
  else body[key] = json_or_text(v);
}

void apply_ollama_param(json::object& body, std::string_view key, const json::value& v) {
  if (ollama_root.contains(key)) {
    body[key] = json_or_text(v);
    return;
  }
  auto& options = body["options"];
  if (!options.is_object()) options = json::object{};
  std::string_view name = key == "max_tokens" ? "num_predict" : key;
  auto& o = options.as_object();
  if (ollama_floats.contains(name)) set_cast(o, name, v, true);
  else if (ollama_ints.contains(name)) set_cast(o, name, v, false);
  else if (name == "stop") o[name] = stop_list(v);
  else o[name] = v;
}

// custom_params: each value a JSON text or a value, laid over the params.
json::object with_custom_params(json::object params) {
  auto* custom = params.if_contains("custom_params");
  if (!custom || !custom->is_object()) return params;
  for (auto& [k, v] : custom->as_object()) params[k] = json_or_text(v);
  return params;
}

// The system prompt before the first system message's text, or as a new first message.
void set_system_prompt(json::object& body, const std::string& system) {
  auto& messages = body["messages"];
  if (!messages.is_array()) messages = json::array{};
  auto& list = messages.as_array();
  if (!list.empty() && list[0].is_object()) {
    auto& first = list[0].as_object();
    auto* role = first.if_contains("role");
    auto* content = first.if_contains("content");
    if (role && role->is_string() && role->as_string() == "system" && content &&
        content->is_string()) {
      first["content"] = system + "\n" + std::string(content->as_string());
      return;
    }
  }
  list.insert(list.begin(), json::object{{"role", "system"}, {"content", system}});
}

std::string formatted_now(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

void replace_all(std::string& text, std::string_view name, const std::string& value) {
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size()))
    text.replace(at, name.size(), value);
}

}  // namespace

std::string fill_prompt_variables(std::string text, const user_account& caller) {
  if (text.find("{{") == std::string::npos) return text;
  replace_all(text, "{{USER_NAME}}", caller.name);
  replace_all(text, "{{USER_EMAIL}}", caller.email);
  replace_all(text, "{{USER_ID}}", caller.id);
  replace_all(text, "{{USER_ROLE}}", to_string(caller.role));
  replace_all(text, "{{CURRENT_DATE}}", formatted_now("%Y-%m-%d"));
  replace_all(text, "{{CURRENT_TIME}}", formatted_now("%H:%M:%S"));
  replace_all(text, "{{CURRENT_DATETIME}}", formatted_now("%Y-%m-%d %H:%M:%S"));
  replace_all(text, "{{CURRENT_WEEKDAY}}", formatted_now("%A"));
  replace_all(text, "{{CURRENT_TIMEZONE}}", "UTC");
  return text;
}

bool apply_preset(std::string& body, const custom_model& preset, param_style style,
                  const user_account& caller, std::string& error) {
  boost::system::error_code ec;
  auto v = parse_body_json(body, ec);
  if (ec || !v.is_object()) {
    error = "the body must be a JSON object";
    return false;
  }
  null_non_finite(v);
  auto& request = v.as_object();
  request["model"] = preset.base_model_id;
  auto params = json::parse(preset.params_json, ec);
  if (!ec) null_non_finite(params);
  if (!ec && params.is_object()) {
    auto all = with_custom_params(std::move(params.as_object()));
    for (auto& [key, value] : all) {
      if (open_webui_only.contains(key) || value.is_null()) continue;
      if (style == param_style::openai) apply_openai_param(request, key, value);
      else apply_ollama_param(request, key, value);
    }
    if (auto* system = all.if_contains("system"); system && system->is_string() &&
                                                  !system->as_string().empty())
      set_system_prompt(request, fill_prompt_variables(std::string(system->as_string()), caller));
  }
  body = json::serialize(request);
  return true;
}

}  // namespace sb
