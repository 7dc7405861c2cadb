#include "http/api/json_depth.hpp"
#include "http/api/ollama_embed_conversion.hpp"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <boost/json.hpp>
#include <cstring>
#include <vector>

#include "http/server/json_numbers.hpp"

namespace sb {

namespace json = boost::json;

namespace {

// OpenAI's base64 form of an embedding: little-endian float32s.
json::value base64_floats(const json::value& e) {
  static_assert(std::endian::native == std::endian::little, "float32s are sent little-endian");
  if (!e.is_array()) return e;
  std::vector<float> values;
  for (auto& x : e.as_array()) values.push_back(static_cast<float>(json_double(x).value_or(0.0)));
  auto bytes = values.size() * sizeof(float);
  std::string out(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(values.data()),
                    bytes, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return json::value(out);
}

// An embedding as it may go to a client: a list of finite numbers (an overflowing one, parsed
// as infinity, would not serialize back to JSON).
bool finite_vector(const json::value& e) {
  if (!e.is_array()) return false;
  return std::all_of(e.as_array().begin(), e.as_array().end(), [](const json::value& x) {
    auto d = json_double(x);
    return d && std::isfinite(*d);
  });
}

}  // namespace

bool to_ollama_embed(std::string_view openai_body, std::string_view model, std::string& out,
                     bool& base64, std::string& error) {
  boost::system::error_code ec;
  auto v = parse_body_json(openai_body, ec);
  auto* input = !ec && v.is_object() ? v.as_object().if_contains("input") : nullptr;
  bool strings = input && input->is_array() &&
                 std::all_of(input->as_array().begin(), input->as_array().end(),
                             [](const json::value& x) { return x.is_string(); });
  if (!input || !(input->is_string() || strings)) {
    error = "field 'input' must be a string or a list of strings";
    return false;
  }
  auto* format = v.as_object().if_contains("encoding_format");
  base64 = format && format->is_string() && format->as_string() == "base64";
  json::object o{{"model", model}, {"input", *input}};
  if (auto* dims = v.as_object().if_contains("dimensions"); dims && dims->is_number())
    o["dimensions"] = *dims;
  out = json::serialize(o);
  return true;
}

bool ollama_embed_converter::on_whole(std::string& body, std::string& content_type) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  auto* list = !ec && v.is_object() ? v.as_object().if_contains("embeddings") : nullptr;
  if (!list || !list->is_array()) return false;
  if (!std::all_of(list->as_array().begin(), list->as_array().end(), finite_vector)) return false;
  json::array data;
  std::int64_t index = 0;
  for (auto& e : list->as_array())
    data.push_back(json::object{{"object", "embedding"},
                                {"index", index++},
                                {"embedding", base64_ ? base64_floats(e) : e}});
  auto tokens = json_count(v.as_object().if_contains("prompt_eval_count"));
  json::object answer{{"object", "list"},
                      {"data", std::move(data)},
                      {"model", model_},
                      {"usage", json::object{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
  body = json::serialize(answer);
  content_type = "application/json";
  return true;
}

}  // namespace sb
