#define CAF_SUITE ollama_conversion
#include "http/api/ollama_chat_conversion.hpp"

#include <caf/test/unit_test.hpp>
#include <sodium.h>

#include <boost/json.hpp>

#include "http/api/ollama_embed_conversion.hpp"
#include "http/api/stages/apply_preset.hpp"

using namespace sb;
namespace json = boost::json;

namespace {

struct sodium_ready {
  sodium_ready() { CAF_REQUIRE(sodium_init() >= 0); }
};

std::string streamed(const std::vector<std::string>& lines, bool usage = false) {
  ollama_chat_converter c("m", usage);
  std::string out;
  for (auto& l : lines) c.on_event(l, out);
  c.on_end(out);
  return out;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(ollama_conversion_tests, sodium_ready)

CAF_TEST(token counts of any shape give a usage and never an exception) {
  for (std::string counts : {R"("prompt_eval_count":1.5,"eval_count":2)",
                             R"("prompt_eval_count":1e300,"eval_count":-4)",
                             R"("prompt_eval_count":9223372036854775807,"eval_count":9223372036854775807)",
                             R"("prompt_eval_count":"7")"}) {
    auto line = R"({"message":{"role":"assistant","content":"a"},"done":true,)" + counts + "}";
    auto out = streamed({line + "\n"}, true);
    CAF_CHECK(out.find(R"("usage":)") != std::string::npos);
    CAF_CHECK(out.ends_with("data: [DONE]\n\n"));
    std::string whole = line, type;
    CAF_CHECK(ollama_chat_converter("m", false).on_whole(whole, type));
    auto usage = json::parse(whole).at("usage").as_object();
    CAF_CHECK(usage.at("total_tokens").as_int64() >= 0);
  }
}

CAF_TEST(a stream that is not from ollama or ends early ends with an error event) {
  auto garbage = streamed({"<html>oops</html>\n", R"({"message":{"content":"late"},"done":true})"});
  CAF_CHECK(garbage.find(R"("error":)") != std::string::npos);
  CAF_CHECK(garbage.find("[DONE]") == std::string::npos);
  CAF_CHECK(garbage.find("late") == std::string::npos);  // nothing after the end
  auto early = streamed({R"({"message":{"role":"assistant","content":"a"},"done":false})" "\n"});
  CAF_CHECK(early.find("before it was done") != std::string::npos);
  CAF_CHECK(early.find("[DONE]") == std::string::npos);
  CAF_CHECK(streamed({"\n", "  \r\n"}).find("before it was done") != std::string::npos);
}

CAF_TEST(thinking becomes reasoning content) {
  auto out = streamed({R"({"message":{"role":"assistant","content":"","thinking":"hm"},"done":false})"
                       "\n",
                       R"({"message":{"content":"ok"},"done":true})"});
  CAF_CHECK(out.find(R"("reasoning_content":"hm")") != std::string::npos);
}

CAF_TEST(a tool call with a null content converts) {
  ollama_chat_request r;
  std::string error;
  CAF_REQUIRE(to_ollama_chat(
      R"({"messages":[{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":"{\"a\":1}"}}]}]})",
      "m", r, error));
  auto m = json::parse(r.body).at("messages").at(0).as_object();
  CAF_CHECK_EQUAL(m.at("content").as_string(), "");
  CAF_CHECK_EQUAL(m.at("tool_calls").at(0).at("function").at("arguments").at("a").as_int64(), 1);
}

CAF_TEST(preset params that are no finite numbers are left out) {
  custom_model p;
  p.base_model_id = "base";
  p.params_json = R"({"temperature":"nan","max_tokens":"1e300","seed":1e300,"top_p":"inf","stop":"x"})";
  user_account u;
  std::string body = R"({"model":"p","messages":[]})", error;
  CAF_REQUIRE(apply_preset(body, p, param_style::openai, u, error));
  auto o = json::parse(body).as_object();  // valid JSON: no NaN, no Infinity
  CAF_CHECK(!o.contains("temperature") && !o.contains("max_tokens") && !o.contains("seed") &&
            !o.contains("top_p"));
  CAF_CHECK_EQUAL(o.at("model").as_string(), "base");
}

CAF_TEST_FIXTURE_SCOPE_END()
