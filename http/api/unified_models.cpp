#include "http/api/unified_models.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <map>

#include "http/api/handlers.hpp"
#include "http/api/model_json.hpp"
#include "http/api/visible_models.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace json = boost::json;

namespace {

struct unified_entry {
  std::string id;
  json::object entry;
};

json::object parsed_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object{};
}

std::string text_of(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// An Ollama /api/tags entry as the unified list shows it.
json::object ollama_unified(const std::string& id, json::object raw) {
  json::object o{{"id", id},
                 {"object", "model"},
                 {"created", static_cast<std::int64_t>(std::time(nullptr))},
                 {"owned_by", "ollama"}};
  auto name = text_of(raw, "name");
  o["name"] = name.empty() ? id : name;
  if (auto* t = raw.if_contains("connection_type")) o["connection_type"] = *t;
  if (auto* t = raw.if_contains("tags")) o["tags"] = *t;
  o["ollama"] = std::move(raw);
  return o;
}

std::vector<unified_entry> base_entries(const catalog_snapshot& catalog) {
  std::vector<unified_entry> out;
  for (auto& [id, text] : catalog.openai_models.entries) out.push_back({id, parsed_object(text)});
  for (auto& [id, text] : catalog.ollama_tags.entries)
    out.push_back({id, ollama_unified(id, parsed_object(text))});
  return out;
}

// A preset's entry, after its base's: it inherits owned_by and connection_type.
json::object preset_entry(const custom_model& p, const json::object& base) {
  json::object o{{"id", p.id}, {"name", p.name.empty() ? p.id : p.name}, {"object", "model"},
                 {"created", p.created_at}, {"preset", true}};
  for (auto key : {"owned_by", "connection_type"})
    if (auto* v = base.if_contains(key)) o[key] = *v;
  o["info"] = model_json(p);
  return o;
}

// Open WebUI's order: MODEL_ORDER_LIST's position first, then the name.
void sort_entries(std::vector<unified_entry>& entries, const std::vector<std::string>& order) {
  std::map<std::string_view, std::size_t> rank;
  for (std::size_t i = 0; i < order.size(); ++i) rank.emplace(order[i], i);
  auto key = [&](const unified_entry& e) {
    auto it = rank.find(e.id);
    return std::pair{it == rank.end() ? order.size() : it->second, text_of(e.entry, "name")};
  };
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const unified_entry& a, const unified_entry& b) { return key(a) < key(b); });
}

}  // namespace

model_list unified_list(const catalog_snapshot& catalog, const models_snapshot& models,
                        const std::vector<std::string>& order) {
  std::vector<unified_entry> entries;
  std::map<std::string, std::size_t, std::less<>> at;
  for (auto& e : base_entries(catalog)) {
    auto* stored = models.find(e.id);
    if (stored && stored->base_model_id.empty()) {
      if (!stored->is_active) continue;
      if (!stored->name.empty()) e.entry["name"] = stored->name;
      e.entry["info"] = model_json(*stored);
    }
    at.emplace(e.id, entries.size());
    entries.push_back(std::move(e));
  }
  std::vector<unified_entry> presets;
  for (auto& [id, m] : models.by_id) {
    if (m->base_model_id.empty() || !m->is_active || at.count(id)) continue;
    auto base = at.find(m->base_model_id);
    if (base == at.end()) continue;  // its base model is not served now
    presets.push_back({id, preset_entry(*m, entries[base->second].entry)});
  }
  for (auto& p : presets) entries.push_back(std::move(p));
  sort_entries(entries, order);
  auto list = model_list::openai_shaped();
  list.tail = "]}";
  for (auto& e : entries) list.add(e.id, json::serialize(e.entry));
  list.finish();
  return list;
}

model_list base_list(const catalog_snapshot& catalog) {
  auto list = model_list::openai_shaped();
  list.tail = "]}";
  for (auto& e : base_entries(catalog)) list.add(e.id, json::serialize(e.entry));
  list.finish();
  return list;
}

route_result api_models(api_context& ctx, session_io& s, client_request&) {
  // Rendered again only when the catalog or the models changed since this thread last did.
  struct rendered {
    std::uint64_t catalog = ~std::uint64_t{0}, models = ~std::uint64_t{0};
    model_list list;
  };
  thread_local rendered cache;
  auto catalog = ctx.rt.catalog.load();
  auto models = ctx.rt.models.load();
  if (cache.catalog != catalog->generation || cache.models != models->generation) {
    cache.list = unified_list(*catalog, *models, ctx.rt.cfg.model_order);
    cache.catalog = catalog->generation;
    cache.models = models->generation;
  }
  auto body = visible_list(ctx, cache.list);
  co_return co_await send_body(s, boost::beast::http::status::ok, std::move(body));
}

route_result api_models_base(api_context& ctx, session_io& s, client_request&) {
  auto body = base_list(*ctx.rt.catalog.load()).body;
  co_return co_await send_body(s, boost::beast::http::status::ok, std::move(body));
}

}  // namespace sb
