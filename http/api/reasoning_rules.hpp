#pragma once
// Open WebUI's rules for OpenAI's reasoning models (o1, o3, o4, gpt-5 families), applied to a chat
// body by splicing only the bytes that change; the rest of the body reaches the upstream exactly as
// the client sent it.
//  - A reasoning model takes max_completion_tokens, not max_tokens (renamed; when both are there,
//    max_tokens is dropped), and no "system" role: a first system message becomes "developer"
//    ("user" for o1-mini and o1-preview, which know neither).
//  - Other models on hosts other than api.openai.com take max_tokens: max_completion_tokens is
//    renamed (dropped when both are there).
//  - On Azure, a reasoning model refuses any temperature but 1: another one is dropped.
#include <string>
#include <string_view>

#include "config/connection_spec.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

bool is_reasoning_model(std::string_view model);

/// Whether the rules can change a body for `model` at a host that is (or is not) api.openai.com,
/// given what the request parse saw, so the common request costs no second parse.
bool reasoning_rules_apply(std::string_view model, bool official_host,
                           bool has_max_completion_tokens);

/// Where a chat request goes, as far as the rules care.
struct reasoning_host {
  bool official = false;  // api.openai.com
  bool azure = false;     // an Azure OpenAI deployment
  friend bool operator==(const reasoning_host&, const reasoning_host&) = default;
};

/// The rules' view of a connection.
inline reasoning_host reasoning_host_of(const connection_spec& spec) {
  return reasoning_host{is_official_openai(spec), spec.azure};
}
inline reasoning_host reasoning_host_of(const upstream_endpoint& ep) {
  return reasoning_host{ep.official_openai(), ep.azure()};
}

/// Applies the rules to `body` (a chat request for `model`, already parsed once). Leaves the body
/// as it is when it does not have the expected shape.
void apply_reasoning_rules(std::string& body, std::string_view model, reasoning_host host);

}  // namespace sb
