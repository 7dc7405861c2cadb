#pragma once
// What differs between provider families, behind one interface: where the model list is and how
// to read it, how a request is authenticated, how a model name is canonicalised, how an upstream
// error body is read, and how a streamed answer is framed when the upstream does not say. One file
// per provider (openai_adapter.cpp, ollama_adapter.cpp); a new family (Azure, ...) is a new file
// and a line in adapter_for.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/connection_spec.hpp"
#include "http/upstream/framing.hpp"
#include "messages/model_types.hpp"

namespace sb {

class provider_adapter {
 public:
  virtual ~provider_adapter() = default;

  /// The path of the model list, below the connection's base URL.
  virtual const char* model_list_path() const = 0;
  /// What POST /{family}/verify asks a connection for (below its base URL): the model list by
  /// default.
  virtual std::string verify_path(const connection_spec& spec) const { return model_list_path(); }
  /// Whether the list is the connection's model_ids, without asking the upstream.
  virtual bool lists_without_fetch(const connection_spec&) const { return false; }
  /// The list made from model_ids (when lists_without_fetch).
  virtual std::vector<model_entry> synthesize_model_list(const connection_spec&) const {
    return {};
  }
  /// The upstream's list answer as the gateway exposes it: allow-list, prefix, tags and the
  /// family's own entry shape applied. Nothing, and `error` set, when it is not a model list.
  virtual std::optional<parsed_model_list> parse_model_list(const connection_spec& spec,
                                                            std::string_view body,
                                                            std::string& error) const = 0;

  /// Header lines ("Name: value\r\n") that authenticate a request with the connection's key;
  /// empty when the key is absent or the auth type sends none.
  virtual std::string auth_headers(const connection_spec& spec) const;

  /// Headers a provider expects from every client (name, value), sent unless the connection's own
  /// headers name them: OpenRouter's attribution headers.
  virtual std::vector<std::pair<std::string, std::string>> etiquette_headers(
      std::string_view host) const {
    return {};
  }

  /// The catalog name a client's model name stands for (Ollama: an untagged name is ":latest").
  virtual std::string canonical_model_name(std::string_view name) const {
    return std::string(name);
  }

  /// The message of an upstream error body, and the scalar fields worth passing on (OpenAI's
  /// error.type / code / param); empty when the body carries none.
  virtual std::string error_message(const boost::json::object& body,
                                    boost::json::object& fields) const = 0;

  /// How a streamed answer is framed when its Content-Type is absent or generic.
  virtual framing default_stream_framing() const = 0;

  /// Whether requests to this provider are rewritten (rewrite_request) before they are sent.
  virtual bool rewrites_requests() const { return false; }
  /// Rewrites a request for `model` (its upstream name): the path below the base URL and the
  /// body. Only called when rewrites_requests().
  virtual void rewrite_request(const connection_spec& spec, std::string_view model,
                               std::string& path, std::string& body) const {}
};

/// The adapter of a provider family (static, lives as long as the program).
const provider_adapter& adapter_for(provider_kind kind);
/// The adapter of one connection: its family's, or Azure's for an OpenAI one with `azure: true`.
const provider_adapter& adapter_for(const connection_spec& spec);

}  // namespace sb
