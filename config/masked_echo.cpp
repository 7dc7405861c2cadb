#include "config/masked_echo.hpp"

#include <boost/beast/core/string.hpp>

#include "config/secret_fields.hpp"

namespace sb {

masked_echo::masked_echo(provider_kind kind, const provider_config& current)
    : raw_urls_(current.base_urls) {
  gateway_config g;
  (kind == provider_kind::openai ? g.openai : g.ollama) = current;
  for (auto& spec : connection_specs(g))
    if (spec.key.kind == kind) stored_.push_back(std::move(spec));
}

std::vector<const connection_spec*> masked_echo::same_url(std::size_t idx,
                                                          const std::string& url) const {
  std::vector<const connection_spec*> out;
  auto wanted = normalize_base_url(url);
  if (idx < stored_.size() && stored_[idx].url == wanted) out.push_back(&stored_[idx]);
  for (std::size_t j = 0; j < stored_.size(); ++j)
    if (j != idx && stored_[j].url == wanted) out.push_back(&stored_[j]);
  return out;
}

std::optional<std::string> masked_echo::url(std::string_view given, std::size_t idx,
                                            std::string& error) const {
  if (!url_has_mask(given)) return std::string(given);
  // A masked URL names its host, path and parameter names in clear: the stored URL that masks to
  // exactly the same text is the one meant.
  if (idx < raw_urls_.size() && mask_url(raw_urls_[idx]) == given) return raw_urls_[idx];
  for (auto& u : raw_urls_)
    if (mask_url(u) == given) return u;
  error = "URL " + std::to_string(idx) +
          " contains a masked credential that matches no stored URL: send the URL in full";
  return std::nullopt;
}

std::optional<secret_string> masked_echo::key(std::string_view given, std::size_t idx,
                                              const std::string& url, std::string& error) const {
  if (!is_mask(given)) return secret_string(std::string(given));
  for (auto* c : same_url(idx, url))
    if (!c->api_key.empty() && mask_secret(c->api_key.reveal()) == given) return c->api_key;
  if (idx < stored_.size() && mask_secret(stored_[idx].api_key.reveal()) == given &&
      stored_[idx].url != normalize_base_url(url))
    error = "key " + std::to_string(idx) +
            " is the mask of the stored key, but the connection's URL changed: send the key in "
            "full for the new URL";
  else
    error = "key " + std::to_string(idx) +
            " is a mask that matches no stored key of this connection: send the key in full";
  return std::nullopt;
}

std::optional<std::string> masked_echo::header(std::string_view name, std::string_view given,
                                               std::size_t idx, const std::string& url,
                                               std::string& error) const {
  if (!is_mask(given)) return std::string(given);
  for (auto* c : same_url(idx, url))
    for (auto& [n, v] : c->headers)
      if (boost::beast::iequals(n, name) && mask_secret(v) == given) return v;
  error = "header '" + std::string(name) + "' of connection " + std::to_string(idx) +
          " is a mask that matches no stored value of this connection at this URL: send it in full";
  return std::nullopt;
}

}  // namespace sb
