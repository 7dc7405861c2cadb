#define CAF_SUITE stream_usage
#include "http/api/stages/stream_usage.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

namespace {

std::string asked(std::string body) {
  chat_request_view v;
  auto problem = parse_chat_request(body, v);
  if (!problem.empty()) return "<" + problem + ">";
  if (!ask_stream_usage(body, v)) return "<refused>";
  return body;
}

std::string filtered(std::string_view event) {
  usage_chunk_filter f;
  std::string out;
  f.on_event(event, out);
  return out;
}

}  // namespace

CAF_TEST(a request is asked for its usage and keeps every other option) {
  CAF_CHECK_EQUAL(asked(R"({"model":"m","stream":true})"),
                  R"({"stream_options":{"include_usage":true},"model":"m","stream":true})");
  CAF_CHECK_EQUAL(asked(R"({"model":"m","stream_options":{"include_usage":false,"x":1}})"),
                  R"({"model":"m","stream_options":{"include_usage":true,"x":1}})");
  CAF_CHECK_EQUAL(asked(R"({"model":"m","stream_options":null})"),
                  R"({"model":"m","stream_options":{"include_usage":true}})");
}

CAF_TEST(the view says whether the client asked) {
  for (auto [body, ask] :
       {std::pair{R"({"model":"m"})", stream_usage_ask::absent},
        std::pair{R"({"model":"m","stream_options":{"include_usage":true}})", stream_usage_ask::asked},
        std::pair{R"({"stream_options":{"x":[1,{"include_usage":true}]},"model":"m"})",
                  stream_usage_ask::other},
        std::pair{R"({"model":"m","stream_options":{"include_usage":"yes"}})", stream_usage_ask::other}}) {
    std::string b = body;
    chat_request_view v;
    CAF_REQUIRE_EQUAL(parse_chat_request(b, v), "");
    CAF_CHECK(v.stream_usage == ask);
  }
}

CAF_TEST(the usage chunk is dropped and null usage stripped byte for byte) {
  auto plain = std::string("data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n");
  auto with_null =
      std::string("data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n");
  CAF_CHECK_EQUAL(filtered(with_null), plain);
  CAF_CHECK_EQUAL(filtered(plain), plain);
  CAF_CHECK_EQUAL(filtered("data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\n"), "");
  CAF_CHECK_EQUAL(filtered("data: [DONE]\n\n"), "data: [DONE]\n\n");
  // Python's separators, and usage that is not last: removed by position.
  CAF_CHECK_EQUAL(filtered("data: {\"id\": \"c\", \"choices\": [{}], \"usage\": null}\r\n\r\n"),
                  "data: {\"id\": \"c\", \"choices\": [{}]}\r\n\r\n");
  CAF_CHECK_EQUAL(filtered("data: {\"usage\":{\"prompt_tokens\":1},\"choices\":[{\"x\":\"\\\"usage\\\"\"}]}\n\n"),
                  "data: {\"choices\":[{\"x\":\"\\\"usage\\\"\"}]}\n\n");
  CAF_CHECK_EQUAL(filtered("data: {\"choices\": [ ], \"usage\": {\"prompt_tokens\": 3}}\n\n"), "");
  // Empty choices without a usage object (Azure's prompt_filter_results chunk) is the client's.
  CAF_CHECK_EQUAL(filtered("data: {\"choices\":[],\"prompt_filter_results\":[],\"usage\":null}\n\n"),
                  "data: {\"choices\":[],\"prompt_filter_results\":[]}\n\n");
  // A content that merely mentions usage passes as it is.
  auto mention = std::string("data: {\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\"\"}}]}\n\n");
  CAF_CHECK_EQUAL(filtered(mention), mention);
}
