// Fuzz target for a provider config update (http/api/config_json.hpp), the body an admin's
// browser posts to /openai/config/update and /ollama/config/update: never a crash, and whatever
// is accepted has a key slot per URL (OpenAI), only URLs that parse, and configs that are JSON.
#include <boost/json.hpp>

#include "http/api/config_json.hpp"
#include "http/upstream/upstream_url.hpp"
#include "replay_main.hpp"

namespace {
sb::provider_config current() {
  sb::provider_config p;
  p.base_urls = {"http://a.example/v1", "http://b.example/v1"};
  p.api_keys = {sb::secret_string("sk-aaaaaaaa1111"), sb::secret_string("sk-bbbbbbbb2222")};
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto kind = data[0] % 2 ? sb::provider_kind::ollama : sb::provider_kind::openai;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  auto next = sb::parse_provider_config_update(kind, body, current(), false, error);
  if (!next) {
    if (error.empty()) sb::fuzz::violated("refused without a reason", body);
    return 0;
  }
  if (kind == sb::provider_kind::openai && next->api_keys.size() != next->base_urls.size())
    sb::fuzz::violated("a key slot per URL", body);
  for (auto& url : next->base_urls) {
    std::string why;
    if (!sb::parse_upstream_url(url, why)) sb::fuzz::violated("an accepted URL does not parse", body);
  }
  boost::system::error_code ec;
  auto configs = boost::json::parse(next->api_configs_json, ec);
  if (ec || !configs.is_object()) sb::fuzz::violated("the configs are not a JSON object", body);
  return 0;
}
