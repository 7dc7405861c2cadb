#include "http/api/chat_request.hpp"

#include "http/api/json_depth.hpp"
#include "http/server/json_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace sb {

namespace od = simdjson::ondemand;

namespace {

std::string parse_with(od::parser& parser, std::string& body, chat_request_view& out,
                       bool name_alias);

}  // namespace

std::string parse_chat_request(std::string& body, chat_request_view& out, bool name_alias) {
  auto problem = parse_with(thread_json_parser(), body, out, name_alias);
  trim_thread_json_parser();
  if (problem.empty() && json_nesting_exceeds(body))
    problem = "request body nests deeper than " + std::to_string(max_json_depth) + " levels";
  return problem;
}

namespace {

// A count the request asks for: a non-negative number (a fraction rounded up, as a provider that
// takes it may), at most 2^40; -1 when it is not one.
std::int64_t read_count(od::value v) {
  constexpr double count_max = double(std::int64_t{1} << 40);
  double d = -1;
  if (v.get_double().get(d) || !(d >= 0)) return -1;
  return static_cast<std::int64_t>(std::ceil(std::min(d, count_max)));
}

// Whether stream_options asks for a stream's usage. A malformed value is left for the document's
// own check: what is read here never throws.
stream_usage_ask read_stream_options(od::value v) {
  od::object options;
  if (v.get_object().get(options)) return stream_usage_ask::other;
  for (auto field_result : options) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
    bool asked = false;
    if (key == "include_usage" && !field.value().get_bool().get(asked) && asked)
      return stream_usage_ask::asked;
  }
  return stream_usage_ask::other;
}

std::string parse_with(od::parser& parser, std::string& body, chat_request_view& out,
                       bool name_alias) {
  od::document doc;
  if (parser.iterate(padded_in_place(body)).get(doc))
    return "request body is not valid JSON";
  od::object obj;
  if (auto err = doc.get_object().get(obj); err)
    return err == simdjson::INCORRECT_TYPE ? "request body must be a JSON object"
                                           : "request body is not valid JSON";
  bool have_model = false, have_stream = false, have_name = false;
  chat_request_view named;  // the "name" field, used when there is no "model"
  for (auto field_result : obj) {
    if (field_result.error()) return "request body is not valid JSON";
    od::field field = std::move(field_result).value_unsafe();
    std::string_view key;
    if (field.unescaped_key().get(key)) return "request body is not valid JSON";
    if (key == "model" || (name_alias && key == "name")) {
      bool is_model = key == "model";
      if (is_model ? have_model : have_name) return "duplicate field '" + std::string(key) + "'";
      (is_model ? have_model : have_name) = true;
      auto& into = is_model ? out : named;
      od::value v = field.value();
      std::string_view raw = v.raw_json_token();
      std::string_view model;
      if (v.get_string().get(model)) return "field '" + std::string(key) + "' must be a string";
      auto begin = static_cast<std::size_t>(raw.data() - body.data());
      auto last_quote = raw.rfind('"');
      into.model.assign(model);
      into.model_begin = begin;
      into.model_end = begin + last_quote + 1;
    } else if (key == "stream_options") {
      out.stream_usage = read_stream_options(field.value());
    } else if (key == "max_completion_tokens" || key == "max_tokens" ||
               key == "max_output_tokens") {
      if (key == "max_completion_tokens") out.has_max_completion_tokens = true;
      out.openai_max_output = std::max(out.openai_max_output, read_count(field.value()));
    } else if (key == "n" || key == "best_of") {
      out.choices = std::max(out.choices, read_count(field.value()));
    } else if (key == "options") {
      od::object options;
      if (!field.value().get_object().get(options))
        for (auto option : options) {
          od::field f;
          std::string_view name;
          if (std::move(option).get(f) || f.unescaped_key().get(name)) break;
          if (name == "num_predict") out.num_predict = read_count(f.value());
        }
    } else if (key == "stream") {
      if (have_stream) return "duplicate field 'stream'";
      have_stream = true;
      od::value v = field.value();
      // Every simdjson result is checked through get(): converting one to bool would throw on
      // malformed input (found by tests/fuzz/chat_request).
      bool null = false;
      if (v.is_null().get(null)) return "field 'stream' must be a boolean";
      if (null) {
        out.stream = false;
      } else if (v.get_bool().get(out.stream)) {
        return "field 'stream' must be a boolean";
      } else {
        out.stream_given = true;
      }
    }
  }
  // The loop stops quietly at a structural error inside a skipped value; ask the document.
  if (!doc.current_location().error()) return "request body has content after the JSON object";
  if (!have_model && have_name) {
    out.model = std::move(named.model);
    out.model_begin = named.model_begin;
    out.model_end = named.model_end;
    have_model = true;
  }
  if (!have_model) return "field 'model' is required";
  if (out.model.empty()) return "field 'model' must not be empty";
  return {};
}

}  // namespace

void replace_model(std::string& body, const chat_request_view& v, std::string_view model) {
  auto token = boost::json::serialize(boost::json::string(model));
  body.replace(v.model_begin, v.model_end - v.model_begin, token);
}

}  // namespace sb
