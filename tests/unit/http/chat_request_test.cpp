#define CAF_SUITE chat_request
#include "http/api/chat_request.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

namespace {
std::string parse(std::string body, chat_request_view& v) { return parse_chat_request(body, v); }
}  // namespace

CAF_TEST(reads model and stream in place) {
  std::string body =
      R"({"messages":[{"role":"user","content":"hi \"model\""}],"model":"p.gpt-4o","stream":true})";
  chat_request_view v;
  CAF_REQUIRE_EQUAL(parse_chat_request(body, v), "");
  CAF_CHECK_EQUAL(v.model, "p.gpt-4o");
  CAF_CHECK(v.stream);
  CAF_CHECK_EQUAL(body.substr(v.model_begin, v.model_end - v.model_begin), "\"p.gpt-4o\"");
  replace_model(body, v, "gpt-4o");
  CAF_CHECK_EQUAL(
      body,
      R"({"messages":[{"role":"user","content":"hi \"model\""}],"model":"gpt-4o","stream":true})");
}

CAF_TEST(escaped model names round trip) {
  std::string body = R"({"model" : "a\"b" , "stream": null})";
  chat_request_view v;
  CAF_REQUIRE_EQUAL(parse_chat_request(body, v), "");
  CAF_CHECK_EQUAL(v.model, "a\"b");
  CAF_CHECK(!v.stream);
  replace_model(body, v, "c\"d");
  CAF_CHECK_EQUAL(body, R"({"model" : "c\"d" , "stream": null})");
}

CAF_TEST(bad bodies name the problem) {
  chat_request_view v;
  CAF_CHECK_NOT_EQUAL(parse("", v), "");
  CAF_CHECK_NOT_EQUAL(parse("{\"model\":\"x\"", v), "");
  CAF_CHECK_NOT_EQUAL(parse("[1,2]", v), "");
  CAF_CHECK_EQUAL(parse(R"({"model":5})", v), "field 'model' must be a string");
  CAF_CHECK_EQUAL(parse(R"({"model":"x","stream":"yes"})", v), "field 'stream' must be a boolean");
  CAF_CHECK_EQUAL(parse(R"({"messages":[]})", v), "field 'model' is required");
  CAF_CHECK_EQUAL(parse(R"({"model":"a","model":"b"})", v), "duplicate field 'model'");
  CAF_CHECK_NOT_EQUAL(parse(R"({"model":"x"} trailing)", v), "");
  CAF_CHECK_NOT_EQUAL(parse(R"({"model":"x","messages":[1,2,}])", v), "");
  std::string deep(20000, '[');
  CAF_CHECK_NOT_EQUAL(parse(R"({"model":"x","a":)" + deep, v), "");
}
