// Fuzz target for the unified routes' Ollama conversion (http/api/ollama_chat_conversion.hpp,
// ollama_embed_conversion.hpp): a client's OpenAI request, and an upstream's answer, are both
// untrusted. Input: byte 0 even, the rest is a client's chat or embeddings request; odd, the rest
// is an upstream's answer, fed line by line as a stream and whole. Every conversion must either
// refuse or produce well-formed JSON, and a stream only `data: <JSON>` events and `[DONE]`.
#include <sodium.h>

#include <boost/json.hpp>

#include "http/api/ollama_chat_conversion.hpp"
#include "http/api/ollama_embed_conversion.hpp"
#include "replay_main.hpp"

namespace {

bool is_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return !ec;
}

// Every event of `out` is "data: <JSON>\n\n" or "data: [DONE]\n\n".
bool well_formed_events(std::string_view out) {
  while (!out.empty()) {
    if (!out.starts_with("data: ")) return false;
    auto end = out.find("\n\n");
    if (end == std::string_view::npos) return false;
    auto payload = out.substr(6, end - 6);
    if (payload != "[DONE]" && !is_json(payload)) return false;
    out.remove_prefix(end + 2);
  }
  return true;
}

void convert_request(std::string_view body) {
  sb::ollama_chat_request chat;
  std::string error, embed;
  bool base64 = false;
  if (sb::to_ollama_chat(body, "m", chat, error) && !is_json(chat.body))
    sb::fuzz::violated("a converted chat request is not JSON", std::string(body));
  if (sb::to_ollama_embed(body, "m", embed, base64, error) && !is_json(embed))
    sb::fuzz::violated("a converted embeddings request is not JSON", std::string(body));
}

void convert_answer(std::string_view body, bool usage) {
  sb::ollama_chat_converter chat("m", usage);
  std::string out;
  for (std::size_t at = 0; at < body.size();) {
    auto nl = body.find('\n', at);
    auto end = nl == std::string_view::npos ? body.size() : nl + 1;
    chat.on_event(body.substr(at, end - at), out);
    at = end;
  }
  chat.on_end(out);
  if (!well_formed_events(out)) sb::fuzz::violated("a converted stream is malformed", out);
  std::string whole(body), type;
  if (sb::ollama_chat_converter("m", usage).on_whole(whole, type) && !is_json(whole))
    sb::fuzz::violated("a converted chat answer is not JSON", std::string(body));
  whole = body;
  if (sb::ollama_embed_converter("m", usage).on_whole(whole, type) && !is_json(whole))
    sb::fuzz::violated("a converted embeddings answer is not JSON", std::string(body));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bool ready = sodium_init() >= 0;
  if (!ready || size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) convert_request(rest);
  else convert_answer(rest, data[0] & 2);
  return 0;
}
