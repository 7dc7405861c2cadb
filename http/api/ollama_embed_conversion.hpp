#pragma once
// The unified embeddings route over an Ollama model: OpenAI's {model, input} becomes Ollama's
// /api/embed {model, input}, and its {embeddings, prompt_eval_count} comes back as OpenAI's
// {object: "list", data: [{object: "embedding", index, embedding}], model, usage}, each
// embedding a list of numbers or, for encoding_format "base64", OpenAI's base64 of float32s.
#include <string>
#include <string_view>

#include "http/upstream/stream_hook.hpp"

namespace sb {

/// Ollama's /api/embed request for an OpenAI embeddings request, for `model` (the server's
/// name); `base64` tells whether the client asked for encoding_format "base64" (the SDKs'
/// default). False and `error` when `input` is neither a string nor a list of strings.
bool to_ollama_embed(std::string_view openai_body, std::string_view model, std::string& out,
                     bool& base64, std::string& error);

/// Turns Ollama's embed answer into OpenAI's, naming the model `model`.
class ollama_embed_converter : public stream_hook {
 public:
  ollama_embed_converter(std::string model, bool base64)
      : model_(std::move(model)), base64_(base64) {}
  void on_event(std::string_view, std::string&) override {}  // embeddings are never streamed
  bool on_whole(std::string& body, std::string& content_type) override;

 private:
  std::string model_;
  bool base64_;  // each embedding as base64 of little-endian float32s, as OpenAI sends it
};

}  // namespace sb
