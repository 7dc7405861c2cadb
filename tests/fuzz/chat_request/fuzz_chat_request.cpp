// Fuzz target for parse_chat_request / replace_model (reliability case 1) and the reasoning-model
// rules that splice a parsed body (http/api/reasoning_rules.hpp), as the chat route uses them
// (replay_main.hpp: a corpus replay under CTest, libFuzzer under make fuzz).
// Properties checked, beyond "does not crash": on success the model token lies inside the body
// and is a JSON string; replacing the model yields a body that parses again with the new model
// and the same stream flag.
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "http/api/chat_request.hpp"
#include "http/api/reasoning_rules.hpp"
#define SB_FUZZ_EXTRA_INPUTS
#include "replay_main.hpp"

namespace {

void check_one(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  const std::string original = body;
  sb::chat_request_view view;
  if (!sb::parse_chat_request(body, view).empty()) return;
  if (view.model.empty()) sb::fuzz::violated("empty model accepted", original);
  if (view.model_end > body.size() || view.model_begin >= view.model_end)
    sb::fuzz::violated("model span outside body", original);
  if (body[view.model_begin] != '"' || body[view.model_end - 1] != '"')
    sb::fuzz::violated("model span not a string", original);
  if (body != original) sb::fuzz::violated("parsing changed the body", original);
  const std::string replacement = "re\"placed\\model";
  sb::replace_model(body, view, replacement);
  sb::chat_request_view again;
  if (!sb::parse_chat_request(body, again).empty())
    sb::fuzz::violated("rewritten body no longer parses", original);
  if (again.model != replacement || again.stream != view.stream)
    sb::fuzz::violated("rewrite changed the wrong thing", original);
  // The rules splice tokens in and members out, where the route applies them (by model and host):
  // the result must still be a chat request with the same model and stream flag. A body that is
  // not JSON past the members the route reads is passed on for the upstream to refuse, as it
  // came or spliced: nothing is promised of it.
  boost::system::error_code invalid;
  boost::json::parse(body, invalid);
  if (invalid) return;
  for (auto model : {"o3-mini", "o1-mini", "llama"}) {
    for (auto host : {sb::reasoning_host{false, false}, sb::reasoning_host{true, false},
                      sb::reasoning_host{false, true}}) {
      if (!sb::reasoning_rules_apply(model, host.official, again.has_max_completion_tokens)) continue;
      std::string spliced = body;
      sb::apply_reasoning_rules(spliced, model, host);
      sb::chat_request_view after;
      if (!sb::parse_chat_request(spliced, after).empty())
        sb::fuzz::violated("reasoning rules left a body that no longer parses", original);
      if (after.model != replacement || after.stream != view.stream)
        sb::fuzz::violated("reasoning rules changed the wrong thing", original);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check_one(data, size);
  return 0;
}

#ifndef SB_LIBFUZZER
// Inputs too large to keep as files: deep nesting and a long model name.
void replay_extra_inputs() {
  std::string deep = "{\"model\":\"m\",\"x\":" + std::string(100000, '[') + "}";
  check_one(reinterpret_cast<const std::uint8_t*>(deep.data()), deep.size());
  std::string long_model = "{\"model\":\"" + std::string(1 << 20, 'a') + "\",\"stream\":true}";
  check_one(reinterpret_cast<const std::uint8_t*>(long_model.data()), long_model.size());
}
#endif
