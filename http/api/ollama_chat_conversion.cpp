#include "http/api/json_depth.hpp"
#include "http/api/ollama_chat_conversion.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <ctime>
#include <set>

#include "http/server/json_numbers.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// OpenAI's sampling parameters that Ollama takes in `options`, under the same name.
const std::set<std::string, std::less<>> option_names = {
    "temperature", "top_p", "top_k", "min_p", "seed", "stop", "frequency_penalty",
    "presence_penalty", "repeat_penalty", "num_ctx"};

std::string random_hex(std::size_t bytes) {
  unsigned char raw[16];
  randombytes_buf(raw, bytes);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, raw, bytes);
  return hex;
}

// A message's content for Ollama: its text parts joined, its data-URL images into `images`.
void convert_content(json::object& message) {
  auto* content = message.if_contains("content");
  if (!content || !content->is_array()) return;
  std::string text;
  json::array images;
  for (auto& part : content->as_array()) {
    if (!part.is_object()) continue;
    auto& p = part.as_object();
    auto* type = p.if_contains("type");
    if (!type || !type->is_string()) continue;
    if (type->as_string() == "text") {
      if (auto* t = p.if_contains("text"); t && t->is_string()) {
        if (!text.empty()) text += '\n';
        text += t->as_string();
      }
    } else if (type->as_string() == "image_url") {
      auto* url = p.if_contains("image_url");
      auto* u = url && url->is_object() ? url->as_object().if_contains("url") : url;
      if (!u || !u->is_string()) continue;
      std::string_view s = u->as_string();
      if (auto comma = s.find(','); s.starts_with("data:") && comma != std::string_view::npos)
        images.emplace_back(s.substr(comma + 1));
    }
  }
  message["content"] = text;
  if (!images.empty()) message["images"] = std::move(images);
}

// Tool calls as Ollama takes them: arguments an object, not a JSON text.
void convert_tool_calls(json::object& message) {
  if (!message.contains("tool_calls")) return;
  // Set before `calls` is taken: adding a member may move the object's storage.
  if (!message.contains("content") || message["content"].is_null()) message["content"] = "";
  auto* calls = message.if_contains("tool_calls");
  if (!calls || !calls->is_array()) return;
  for (auto& call : calls->as_array()) {
    auto* fn = call.is_object() ? call.as_object().if_contains("function") : nullptr;
    auto* args = fn && fn->is_object() ? fn->as_object().if_contains("arguments") : nullptr;
    if (!args || !args->is_string()) continue;
    boost::system::error_code ec;
    auto parsed = json::parse(args->as_string(), ec);
    if (ec) continue;
    null_non_finite(parsed);
    *args = std::move(parsed);
  }
}

json::object ollama_options(const json::object& req) {
  json::object options;
  if (auto* o = req.if_contains("options"); o && o->is_object()) options = o->as_object();
  for (auto& [key, value] : req)
    if (option_names.contains(key) && !value.is_null()) options[key] = value;
  for (auto key : {"max_tokens", "max_completion_tokens"})
    if (auto* v = req.if_contains(key); v && v->is_number()) options["num_predict"] = *v;
  return options;
}

// response_format as Ollama's `format`: a JSON schema, or "json"; nothing for text.
void convert_format(const json::object& req, json::object& out) {
  auto* rf = req.if_contains("response_format");
  if (!rf || !rf->is_object()) return;
  auto& f = rf->as_object();
  auto* type = f.if_contains("type");
  if (!type || !type->is_string()) return;
  if (type->as_string() == "json_object") out["format"] = "json";
  if (type->as_string() != "json_schema") return;
  auto* spec = f.if_contains("json_schema");
  auto* schema = spec && spec->is_object() ? spec->as_object().if_contains("schema") : nullptr;
  if (schema) out["format"] = *schema;
}

bool blank(std::string_view event) {
  return event.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

json::object parsed_line(std::string_view event) {
  while (!event.empty() && (event.back() == '\n' || event.back() == '\r' || event.back() == ' '))
    event.remove_suffix(1);
  boost::system::error_code ec;
  auto v = event.empty() ? json::value() : json::parse(event, ec);
  if (ec || !v.is_object()) return json::object{};
  null_non_finite(v);
  return std::move(v.as_object());
}

// Ollama's tool calls as OpenAI's, numbered on from `next` (deltas carry an index).
json::array openai_tool_calls(const json::value& calls, int& next, bool indexed) {
  json::array out;
  if (!calls.is_array()) return out;
  for (auto& call : calls.as_array()) {
    auto* fn = call.is_object() ? call.as_object().if_contains("function") : nullptr;
    if (!fn || !fn->is_object()) continue;
    auto& f = fn->as_object();
    json::object c{{"id", "call_" + random_hex(12)}, {"type", "function"}};
    if (indexed) c["index"] = next;
    ++next;
    auto* args = f.if_contains("arguments");
    json::object function{{"name", f.contains("name") ? f.at("name") : json::value("")}};
    function["arguments"] = !args                ? std::string("{}")
                            : args->is_string() ? std::string(args->as_string())
                                                : json::serialize(*args);
    c["function"] = std::move(function);
    out.push_back(std::move(c));
  }
  return out;
}

std::string finish_reason_of(const json::object& line, bool called_tools) {
  if (called_tools) return "tool_calls";
  auto* reason = line.if_contains("done_reason");
  return reason && reason->is_string() && reason->as_string() == "length" ? "length" : "stop";
}

json::object usage_of(const json::object& line) {
  auto prompt = json_count(line.if_contains("prompt_eval_count"));
  auto completion = json_count(line.if_contains("eval_count"));
  std::int64_t total = 0;
  if (__builtin_add_overflow(prompt, completion, &total)) total = INT64_MAX;
  return {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", total}};
}

std::string error_text(const json::value& e) {
  return e.is_string() ? std::string(e.as_string()) : json::serialize(e);
}

}  // namespace

bool to_ollama_chat(std::string_view openai_body, std::string_view model, ollama_chat_request& out,
                    std::string& error) {
  boost::system::error_code ec;
  auto v = parse_body_json(openai_body, ec);
  auto* messages = !ec && v.is_object() ? v.as_object().if_contains("messages") : nullptr;
  if (!messages || !messages->is_array()) {
    error = "the body must be a chat request: a JSON object with a 'messages' list";
    return false;
  }
  null_non_finite(v);
  auto& req = v.as_object();
  json::object o{{"model", model}};
  for (auto& m : messages->as_array())
    if (m.is_object()) {
      convert_content(m.as_object());
      convert_tool_calls(m.as_object());
    }
  o["messages"] = std::move(*messages);
  auto* stream = req.if_contains("stream");
  out.stream = stream && stream->is_bool() && stream->as_bool();
  o["stream"] = out.stream;
  auto* so = req.if_contains("stream_options");
  auto* usage = so && so->is_object() ? so->as_object().if_contains("include_usage") : nullptr;
  out.include_usage = usage && usage->is_bool() && usage->as_bool();
  if (auto options = ollama_options(req); !options.empty()) o["options"] = std::move(options);
  convert_format(req, o);
  for (auto key : {"tools", "keep_alive", "think"})
    if (auto* x = req.if_contains(key); x && !x->is_null()) o[key] = *x;
  out.body = json::serialize(o);
  return true;
}

ollama_chat_converter::ollama_chat_converter(std::string model, bool include_usage)
    : id_("chatcmpl-" + random_hex(12)),
      model_(std::move(model)),
      created_(static_cast<std::int64_t>(std::time(nullptr))),
      include_usage_(include_usage) {}

void ollama_chat_converter::emit(std::string& out, std::string chunk_json) const {
  out += "data: ";
  out += chunk_json;
  out += "\n\n";
}

void ollama_chat_converter::fail(std::string& out, std::string message) {
  json::object err{{"message", std::move(message)}, {"type", "upstream_error"}};
  emit(out, json::serialize(json::object{{"error", std::move(err)}}));
  finished_ = true;
}

void ollama_chat_converter::on_event(std::string_view event, std::string& out) {
  if (finished_ || blank(event)) return;
  auto line = parsed_line(event);
  // Not a line of Ollama's: the stream is over, and says so (never a silent, empty success).
  if (line.empty()) return fail(out, "the Ollama server sent a line that is not a JSON object");
  if (auto* e = line.if_contains("error")) return fail(out, error_text(*e));
  json::object chunk{{"id", id_}, {"object", "chat.completion.chunk"}, {"created", created_},
                     {"model", model_}};
  json::object delta;
  if (!role_sent_) delta["role"] = "assistant";
  role_sent_ = true;
  auto* message = line.if_contains("message");
  auto* m = message && message->is_object() ? &message->as_object() : nullptr;
  if (m) {
    if (auto* c = m->if_contains("content"); c && c->is_string() && !c->as_string().empty())
      delta["content"] = *c;
    if (auto* t = m->if_contains("thinking"); t && t->is_string() && !t->as_string().empty())
      delta["reasoning_content"] = *t;
    if (auto* calls = m->if_contains("tool_calls"))
      if (auto list = openai_tool_calls(*calls, tool_calls_, true); !list.empty())
        delta["tool_calls"] = std::move(list);
  }
  bool done = line.contains("done") && line.at("done").is_bool() && line.at("done").as_bool();
  if (!delta.empty() || !done) {
    chunk["choices"] = json::array{json::object{
        {"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", nullptr}}};
    emit(out, json::serialize(chunk));
  }
  if (!done) return;
  chunk["choices"] = json::array{json::object{{"index", 0},
                                              {"delta", json::object{}},
                                              {"logprobs", nullptr},
                                              {"finish_reason", finish_reason_of(line, tool_calls_ > 0)}}};
  emit(out, json::serialize(chunk));
  if (include_usage_) {
    chunk["choices"] = json::array{};
    chunk["usage"] = usage_of(line);
    emit(out, json::serialize(chunk));
  }
  out += "data: [DONE]\n\n";
  finished_ = true;
}

void ollama_chat_converter::on_end(std::string& out) {
  if (!finished_) fail(out, "the Ollama server ended the stream before it was done");
}

bool ollama_chat_converter::on_whole(std::string& body, std::string& content_type) {
  auto line = parsed_line(body);
  auto* message = line.if_contains("message");
  if (!message || !message->is_object()) return false;
  auto& m = message->as_object();
  json::object reply{{"role", "assistant"},
                     {"content", m.contains("content") ? m.at("content") : json::value("")}};
  if (auto* t = m.if_contains("thinking"); t && t->is_string() && !t->as_string().empty())
    reply["reasoning_content"] = *t;
  int n = 0;
  if (auto* calls = m.if_contains("tool_calls"))
    if (auto list = openai_tool_calls(*calls, n, false); !list.empty())
      reply["tool_calls"] = std::move(list);
  json::object choice{{"index", 0}, {"message", std::move(reply)}, {"logprobs", nullptr},
                      {"finish_reason", finish_reason_of(line, n > 0)}};
  json::object completion{{"id", id_},
                          {"object", "chat.completion"},
                          {"created", created_},
                          {"model", model_},
                          {"choices", json::array{std::move(choice)}},
                          {"usage", usage_of(line)}};
  body = json::serialize(completion);
  content_type = "application/json";
  return true;
}

}  // namespace sb
