#define CAF_SUITE token_usage
#include "http/upstream/token_usage.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

CAF_TEST(openai whole answers and final stream chunks report their usage) {
  auto u = openai_usage(R"({"id":"x","object":"chat.completion","choices":[],
                            "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}})");
  CAF_CHECK_EQUAL(u.prompt, 12);
  CAF_CHECK_EQUAL(u.completion, 7);
  // The final chunk of a stream that asked for usage; the ones before it say null.
  u = openai_usage(R"({"id":"x","object":"chat.completion.chunk","choices":[],"usage" : {"prompt_tokens":3,"completion_tokens":5}})");
  CAF_CHECK_EQUAL(u.prompt, 3);
  CAF_CHECK_EQUAL(u.completion, 5);
  CAF_CHECK(!openai_usage(R"({"choices":[{"delta":{"content":"hi"}}],"usage":null})").known());
  // Embeddings report prompt tokens only.
  u = openai_usage(R"({"object":"list","data":[],"usage":{"prompt_tokens":4,"total_tokens":4}})");
  CAF_CHECK_EQUAL(u.prompt, 4);
  CAF_CHECK_EQUAL(u.completion, -1);
}

CAF_TEST(the responses api reports input and output tokens whole and streamed) {
  auto u = openai_usage(R"({"object":"response","usage":{"input_tokens":9,"output_tokens":2}})");
  CAF_CHECK_EQUAL(u.prompt, 9);
  CAF_CHECK_EQUAL(u.completion, 2);
  u = openai_usage(R"({"type":"response.completed","response":{"id":"r","status":"completed",
                       "usage":{"input_tokens":1,"output_tokens":6}}})");
  CAF_CHECK_EQUAL(u.prompt, 1);
  CAF_CHECK_EQUAL(u.completion, 6);
}

CAF_TEST(ollama reports its eval counts on the last line) {
  auto u = ollama_usage(R"({"model":"m","done":true,"prompt_eval_count":26,"eval_count":290})");
  CAF_CHECK_EQUAL(u.prompt, 26);
  CAF_CHECK_EQUAL(u.completion, 290);
  CAF_CHECK(!ollama_usage(R"({"model":"m","message":{"content":"x"},"done":false})").known());
  u = ollama_usage(R"({"model":"m","embeddings":[[0.1]],"prompt_eval_count":8})");  // /api/embed
  CAF_CHECK_EQUAL(u.prompt, 8);
  CAF_CHECK_EQUAL(u.completion, -1);
}

CAF_TEST(nothing is invented from what is not a count) {
  for (auto bad : {R"({"usage":{"prompt_tokens":-1,"completion_tokens":"7"}})",
                   R"({"usage":{"prompt_tokens":1.5}})", R"({"usage":{}})", R"({"usage":{)",
                   R"(["usage",{"prompt_tokens":1}])", "", "not json \"usage\":{"})
    CAF_CHECK(!openai_usage(bad).known());
  CAF_CHECK(!ollama_usage(R"({"eval_count":"many","prompt_eval_count":null})").known());
  CAF_CHECK(!ollama_usage(R"({"eval_count":)").known());
}

CAF_TEST(only the answers own usage counts and never a nested one a client could write) {
  // Ollama's tool call arguments come before its counts.
  auto ollama = std::string(R"({"message":{"tool_calls":[{"function":{"arguments":)"
                            R"({"eval_count":0,"prompt_eval_count":0,"usage":{"prompt_tokens":0}}}}]},)"
                            R"("prompt_eval_count":500,"eval_count":900})");
  auto u = whole_answer_usage(ollama);
  CAF_CHECK_EQUAL(u.prompt, 500);
  CAF_CHECK_EQUAL(u.completion, 900);
  auto openai = std::string(R"({"choices":[{"message":{"tool_calls":[{"function":{"arguments":{"usage":)"
                            R"({"prompt_tokens":0,"completion_tokens":0}}}}]}}],)"
                            R"("usage":{"prompt_tokens":7,"completion_tokens":9}})");
  u = whole_answer_usage(openai);
  CAF_CHECK_EQUAL(u.prompt, 7);
  CAF_CHECK_EQUAL(u.completion, 9);
  // A count no provider could mean is clamped, never wrapped.
  u = openai_usage(R"({"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":1}})");
  CAF_CHECK_EQUAL(u.prompt, std::int64_t{1} << 40);
}
