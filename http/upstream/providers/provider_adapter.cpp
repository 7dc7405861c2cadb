#include "http/upstream/providers/provider_adapter.hpp"

namespace sb {

const provider_adapter& openai_provider();
const provider_adapter& ollama_provider();
const provider_adapter& azure_provider();

std::string provider_adapter::auth_headers(const connection_spec& spec) const {
  if (spec.auth != auth_type::bearer || spec.api_key.empty()) return {};
  return "Authorization: Bearer " + spec.api_key.reveal() + "\r\n";
}

const provider_adapter& adapter_for(provider_kind kind) {
  switch (kind) {
    case provider_kind::openai:
      return openai_provider();
    case provider_kind::ollama:
      return ollama_provider();
  }
  return openai_provider();
}

const provider_adapter& adapter_for(const connection_spec& spec) {
  if (spec.key.kind == provider_kind::openai && spec.azure) return azure_provider();
  return adapter_for(spec.key.kind);
}

}  // namespace sb
