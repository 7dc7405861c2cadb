#include "actors/model_list.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace sb {

namespace json = boost::json;

namespace {

bool allowed(const connection_spec& spec, std::string_view id) {
  return spec.model_ids.empty() ||
         std::find(spec.model_ids.begin(), spec.model_ids.end(), id) != spec.model_ids.end();
}

std::string exposed_id(const connection_spec& spec, std::string_view id) {
  return spec.prefix_id.empty() ? std::string(id) : spec.prefix_id + "." + std::string(id);
}

bool is_openai_non_chat(std::string_view id) {
  for (auto bad : {"babbage", "dall-e", "davinci", "embedding", "tts", "whisper"})
    if (id.find(bad) != std::string_view::npos) return true;
  return false;
}

void decorate(const connection_spec& spec, json::object& model) {
  if (!spec.tags_json.empty()) {
    boost::system::error_code ec;
    auto tags = json::parse(spec.tags_json, ec);
    if (!ec) model["tags"] = tags;
  }
  model["connection_type"] = spec.connection_type;
}

model_entry openai_entry(const connection_spec& spec, json::object model, std::string upstream_id) {
  auto id = exposed_id(spec, upstream_id);
  model["id"] = id;
  decorate(spec, model);
  json::object entry = model;
  if (!entry.contains("name")) entry["name"] = id;
  entry["owned_by"] = "openai";
  entry["openai"] = model;
  entry["urlIdx"] = spec.key.idx;
  return {id, std::move(upstream_id), json::serialize(entry)};
}

}  // namespace

const char* model_list_path(const connection_spec& spec) {
  return spec.key.kind == provider_kind::openai ? "/models" : "/api/tags";
}

std::vector<model_entry> synthesize_model_list(const connection_spec& spec) {
  std::vector<model_entry> out;
  for (auto& id : spec.model_ids) out.push_back(openai_entry(spec, json::object{{"id", id}}, id));
  return out;
}

std::optional<std::vector<model_entry>> parse_model_list(const connection_spec& spec,
                                                         std::string_view body,
                                                         std::string& error) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) {
    error = "model list is not valid JSON";
    return std::nullopt;
  }
  std::vector<model_entry> out;
  if (spec.key.kind == provider_kind::openai) {
    const json::array* data = nullptr;
    if (v.is_array())
      data = &v.as_array();
    else if (v.is_object())
      if (auto* d = v.as_object().if_contains("data"); d && d->is_array()) data = &d->as_array();
    if (!data) {
      error = "model list has no \"data\" array";
      return std::nullopt;
    }
    bool official = spec.url.find("api.openai.com") != std::string::npos;
    for (auto& m : *data) {
      if (!m.is_object()) continue;
      auto* id = m.as_object().if_contains("id");
      if (!id || !id->is_string()) continue;
      std::string upstream_id(id->as_string());
      if (official && is_openai_non_chat(upstream_id)) continue;
      if (!allowed(spec, upstream_id)) continue;
      out.push_back(openai_entry(spec, m.as_object(), std::move(upstream_id)));
    }
    return out;
  }
  const json::array* models = nullptr;
  if (v.is_object())
    if (auto* d = v.as_object().if_contains("models"); d && d->is_array()) models = &d->as_array();
  if (!models) {
    error = "model list has no \"models\" array";
    return std::nullopt;
  }
  for (auto& m : *models) {
    if (!m.is_object()) continue;
    auto model = m.as_object();
    auto* name = model.if_contains("model");
    if (!name || !name->is_string()) name = model.if_contains("name");
    if (!name || !name->is_string()) continue;
    std::string upstream_id(name->as_string());
    if (!allowed(spec, upstream_id)) continue;
    auto id = exposed_id(spec, upstream_id);
    model["model"] = id;
    decorate(spec, model);
    out.push_back({id, std::move(upstream_id), json::serialize(model)});
  }
  return out;
}

}  // namespace sb
