#define CAF_SUITE reasoning_rules
#include "http/api/reasoning_rules.hpp"

#include <caf/test/unit_test.hpp>
#include <string>

using namespace sb;

namespace {
std::string applied(std::string body, std::string_view model, bool official = false) {
  apply_reasoning_rules(body, model, reasoning_host{official, false});
  return body;
}
std::string on_azure(std::string body, std::string_view model) {
  apply_reasoning_rules(body, model, reasoning_host{false, true});
  return body;
}
}  // namespace

CAF_TEST(reasoning models are recognised by prefix) {
  for (auto m : {"o1", "o1-mini", "O3-mini", "o4-mini-high", "gpt-5", "gpt-5-nano"})
    CAF_CHECK(is_reasoning_model(m));
  for (auto m : {"gpt-4o", "gpt-4.1", "llama3", "omni", "gpt5"}) CAF_CHECK(!is_reasoning_model(m));
  CAF_CHECK(reasoning_rules_apply("o3", true, false));
  CAF_CHECK(!reasoning_rules_apply("gpt-4o", false, false));
  CAF_CHECK(!reasoning_rules_apply("gpt-4o", true, true));
  CAF_CHECK(reasoning_rules_apply("gpt-4o", false, true));
}

CAF_TEST(a reasoning model gets max_completion_tokens and a developer message) {
  CAF_CHECK_EQUAL(
      applied(R"({"model":"o3-mini","messages":[{"role":"system","content":"be brief"},)"
              R"({"role":"user","content":"hi"}],"max_tokens":100,"temperature":1})",
              "o3-mini"),
      R"({"model":"o3-mini","messages":[{"role":"developer","content":"be brief"},)"
      R"({"role":"user","content":"hi"}],"max_completion_tokens":100,"temperature":1})");
  // o1-mini and o1-preview know no developer role either.
  CAF_CHECK_EQUAL(applied(R"({"messages":[{"content":"x","role":"system"}]})", "o1-mini"),
                  R"({"messages":[{"content":"x","role":"user"}]})");
}

CAF_TEST(only the changed bytes change) {
  std::string body =
      "{\n  \"model\" : \"gpt-5\",\n  \"max_tokens\"\t: 42 ,\n  \"messages\": [ { \"role\" : "
      "\"system\", \"content\": \"\\u00e9t\\u00e9\" } ],\n  \"extra\": {\"keep\": [1, 2.50, "
      "null]}\n}";
  std::string want =
      "{\n  \"model\" : \"gpt-5\",\n  \"max_completion_tokens\"\t: 42 ,\n  \"messages\": [ { "
      "\"role\" : \"developer\", \"content\": \"\\u00e9t\\u00e9\" } ],\n  \"extra\": {\"keep\": "
      "[1, 2.50, null]}\n}";
  CAF_CHECK_EQUAL(applied(body, "gpt-5"), want);
}

CAF_TEST(both limits keep the completion one for reasoning models) {
  CAF_CHECK_EQUAL(applied(R"({"max_tokens": 5, "max_completion_tokens": 9, "model":"o1"})", "o1"),
                  R"({"max_completion_tokens": 9, "model":"o1"})");
  CAF_CHECK_EQUAL(applied(R"({"model":"o1","max_completion_tokens":9,"max_tokens":5})", "o1"),
                  R"({"model":"o1","max_completion_tokens":9})");
}

CAF_TEST(other models off api.openai.com get max_tokens) {
  CAF_CHECK_EQUAL(applied(R"({"model":"llama","max_completion_tokens":7})", "llama"),
                  R"({"model":"llama","max_tokens":7})");
  CAF_CHECK_EQUAL(applied(R"({"model":"gpt-4o","max_completion_tokens":7})", "gpt-4o", true),
                  R"({"model":"gpt-4o","max_completion_tokens":7})");
  CAF_CHECK_EQUAL(
      applied(R"({"max_completion_tokens":7,"max_tokens":3,"model":"llama"})", "llama"),
      R"({"max_tokens":3,"model":"llama"})");
  // The system message stays for them.
  CAF_CHECK_EQUAL(applied(R"({"messages":[{"role":"system"}],"max_tokens":1})", "llama"),
                  R"({"messages":[{"role":"system"}],"max_tokens":1})");
}

CAF_TEST(only the first message is renamed and odd shapes are left alone) {
  CAF_CHECK_EQUAL(applied(R"({"messages":[{"role":"user"},{"role":"system"}]})", "o3"),
                  R"({"messages":[{"role":"user"},{"role":"system"}]})");
  CAF_CHECK_EQUAL(applied(R"({"max_tokens":{"a":1}})", "o3"), R"({"max_tokens":{"a":1}})");
  CAF_CHECK_EQUAL(applied(R"({"messages":"nope","max_tokens":1})", "o3"),
                  R"({"messages":"nope","max_tokens":1})");
  CAF_CHECK_EQUAL(applied(R"(not json)", "o3"), R"(not json)");
}

CAF_TEST(azure reasoning models lose any temperature but 1) {
  CAF_CHECK_EQUAL(on_azure(R"({"model":"o3","temperature":0.2,"messages":[]})", "o3"),
                  R"({"model":"o3","messages":[]})");
  CAF_CHECK_EQUAL(on_azure(R"({"model":"o3","temperature":1.0})", "o3"), R"({"model":"o3","temperature":1.0})");
  CAF_CHECK_EQUAL(on_azure(R"({"model":"o3","temperature":1})", "o3"), R"({"model":"o3","temperature":1})");
  CAF_CHECK_EQUAL(on_azure(R"({"temperature":null, "model":"o3"})", "o3"), R"({"model":"o3"})");
  // Two removed neighbours: the comma between them goes once.
  CAF_CHECK_EQUAL(on_azure(R"({"model":"o3","max_completion_tokens":5,"max_tokens":9,"temperature":0})", "o3"),
                  R"({"model":"o3","max_completion_tokens":5})");
  CAF_CHECK_EQUAL(on_azure(R"({"max_tokens":9, "temperature":0, "max_completion_tokens":5})", "o3"),
                  R"({"max_completion_tokens":5})");
  // Not a reasoning model, or not Azure: the temperature stays.
  CAF_CHECK_EQUAL(on_azure(R"({"model":"gpt-4o","temperature":0.2})", "gpt-4o"),
                  R"({"model":"gpt-4o","temperature":0.2})");
  CAF_CHECK_EQUAL(applied(R"({"model":"o3","temperature":0.2})", "o3"), R"({"model":"o3","temperature":0.2})");
}

CAF_TEST(an escaped key is replaced by its whole raw span) {
  // "max_completion\u005ftokens" is max_completion_tokens: the splice used to take the
  // unescaped length from the key's start and left `"max_tokens"kens":5`.
  CAF_CHECK_EQUAL(applied(R"({"model":"llama","max_completion\u005ftokens":5})", "llama"),
                  R"({"model":"llama","max_tokens":5})");
  CAF_CHECK_EQUAL(applied(R"({"model":"o1","max\u005Ftokens":5})", "o1"),
                  R"({"model":"o1","max_completion_tokens":5})");
  CAF_CHECK_EQUAL(applied(R"({"model":"o1","\u006dax_tokens":5,"max_completion_tokens":9})", "o1"),
                  R"({"model":"o1","max_completion_tokens":9})");
  CAF_CHECK_EQUAL(on_azure(R"({"model":"o1","temp\u0065rature":0.2,"n":1})", "o1"),
                  R"({"model":"o1","n":1})");
}

CAF_TEST(a value is removed whole even with a NUL inside) {
  // Found by make fuzz: strchr took a NUL for a delimiter, removed "7" and left "\0" "5".
  std::string body("{\"model\":\"o1\",\"temp\\u0065rature\":7\0" "5,\"makot\":1}", 47);
  auto out = on_azure(body, "o1");
  CAF_CHECK(out == body || out == R"({"model":"o1","makot":1})");
}
