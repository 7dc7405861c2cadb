#include "tests/support/fake_pipelines.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <vector>

namespace fake_pipelines {

namespace json = boost::json;

namespace {

struct pipeline {
  std::string id;
  std::string name;
  std::string type = "pipe";
  json::array targets;  // a filter's valves.pipelines
  std::int64_t priority = 0;
  std::string action = "tag";
  json::object extra_valves;  // what valves/update set besides pipelines and priority
};

std::vector<pipeline> pipelines;
bool configured = false;
bool server_filters = false;
json::array calls;

std::string detail(std::string_view text) {
  return json::serialize(json::object{{"detail", text}});
}

pipeline* find(std::string_view id) {
  for (auto& p : pipelines)
    if (p.id == id) return &p;
  return nullptr;
}

json::object valves_of(const pipeline& p) {
  json::object v = p.extra_valves;
  if (p.type == "filter") {
    v["pipelines"] = p.targets;
    v["priority"] = p.priority;
  }
  return v;
}

json::object item_of(const pipeline& p) {
  json::object pipe{{"type", p.type}, {"valves", p.type == "filter"}};
  if (p.type == "filter") {
    pipe["pipelines"] = p.targets;
    pipe["priority"] = p.priority;
  }
  return {{"id", p.id},       {"name", p.name}, {"object", "model"}, {"created", 1700000000},
          {"owned_by", "openai"}, {"pipeline", pipe}};
}

// Appends `tag` to the content of the last message (of `role`, when given).
void tag_last(json::object& body, std::string_view role, const std::string& tag) {
  auto* messages = body.if_contains("messages");
  if (!messages || !messages->is_array()) return;
  auto& list = messages->as_array();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!it->is_object()) continue;
    auto& m = it->as_object();
    auto* r = m.if_contains("role");
    if (!role.empty() && (!r || !r->is_string() || r->as_string() != role)) continue;
    auto* c = m.if_contains("content");
    if (c && c->is_string()) m["content"] = std::string(c->as_string()) + tag;
    return;
  }
}

reply run_filter(const std::string& id, std::string_view phase, const std::string& action,
                 const std::string& request, std::string_view authorization) {
  boost::system::error_code ec;
  auto v = json::parse(request, ec);
  if (ec || !v.is_object()) return {422, detail("not a JSON object"), 0};
  auto& form = v.as_object();
  json::object call{{"id", id}, {"phase", phase}, {"auth", authorization}};
  if (auto* u = form.if_contains("user")) call["user"] = *u;
  if (auto* b = form.if_contains("body")) call["body"] = *b;
  calls.push_back(call);
  if (action == "refuse") return {403, detail("refused by " + id), 0};
  if (action == "garbage") return {200, "<html>not json</html>", 0};
  auto* b = form.if_contains("body");
  if (!b || !b->is_object()) return {422, detail("no body"), 0};
  auto body = b->as_object();
  if (action.starts_with("model:") && phase == "inlet") body["model"] = action.substr(6);
  tag_last(body, phase == "inlet" ? "user" : "", " [" + id + ":" + std::string(phase) + "]");
  int delay = action.starts_with("slow:") ? std::atoi(action.c_str() + 5) : 0;
  return {200, json::serialize(body), delay};
}

std::string pipelines_list() {
  json::array data;
  for (auto& p : pipelines)
    data.push_back(json::object{{"id", p.id}, {"name", p.name}, {"type", p.type},
                                {"valves", p.type == "filter"}});
  return json::serialize(json::object{{"data", data}});
}

std::string field(const std::string& body, std::string_view key) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  auto* f = !ec && v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

std::optional<reply> admin(std::string_view method, const std::string& path,
                           const std::string& body, std::string_view content_type) {
  if (path == "/pipelines" && method == "GET") return reply{200, pipelines_list(), 0};
  if (path == "/pipelines/add" && method == "POST") {
    auto url = field(body, "url");
    if (!url.ends_with(".py")) return reply{400, detail("URL must point to a Python file"), 0};
    auto name = url.substr(url.rfind('/') + 1);
    pipelines.push_back({name.substr(0, name.size() - 3), name, "pipe", {}, 0, "tag", {}});
    return reply{200, json::serialize(json::object{{"status", true}, {"detail", "Pipeline added successfully from " + name}}), 0};
  }
  if (path == "/pipelines/upload" && method == "POST") {
    auto at = body.find("filename=\"");
    auto end = at == std::string::npos ? at : body.find('"', at + 10);
    auto name = end == std::string::npos ? std::string() : body.substr(at + 10, end - at - 10);
    if (content_type.find("multipart/form-data") == std::string_view::npos ||
        body.find("name=\"file\"") == std::string::npos || !name.ends_with(".py"))
      return reply{400, detail("Only Python files are allowed."), 0};
    pipelines.push_back({name.substr(0, name.size() - 3), name, "pipe", {}, 0, "tag", {}});
    return reply{200, json::serialize(json::object{{"status", true}, {"detail", "Pipeline uploaded successfully to ./pipelines/" + name}}), 0};
  }
  if (path == "/pipelines/delete" && method == "DELETE") {
    auto id = field(body, "id");
    for (auto it = pipelines.begin(); it != pipelines.end(); ++it)
      if (it->id == id) {
        pipelines.erase(it);
        return reply{200, json::serialize(json::object{{"status", true}, {"detail", "Pipeline " + id + " deleted successfully"}}), 0};
      }
    return reply{404, detail("Pipeline " + id + " not found"), 0};
  }
  return std::nullopt;
}

std::optional<reply> valves(std::string_view method, const std::string& path,
                            const std::string& body) {
  auto slash = path.find('/', 1);
  if (slash == std::string::npos) return std::nullopt;
  auto id = path.substr(1, slash - 1);
  auto rest = path.substr(slash);
  if (rest != "/valves" && rest != "/valves/spec" && rest != "/valves/update") return std::nullopt;
  auto* p = find(id);
  if (!p) return reply{404, detail("Pipeline " + id + " not found"), 0};
  if (rest == "/valves" && method == "GET") return reply{200, json::serialize(valves_of(*p)), 0};
  if (rest == "/valves/spec" && method == "GET") {
    json::object props{{"pipelines", json::object{{"title", "Pipelines"}, {"type", "array"}}},
                       {"priority", json::object{{"title", "Priority"}, {"type", "integer"}}}};
    return reply{200, json::serialize(json::object{{"title", "Valves"}, {"type", "object"}, {"properties", props}}), 0};
  }
  if (rest == "/valves/update" && method == "POST") {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return reply{422, detail("valves must be an object"), 0};
    p->extra_valves.clear();
    for (auto& [k, val] : v.as_object()) {
      if (k == "pipelines" && val.is_array())
        p->targets = val.as_array();
      else if (k == "priority" && val.is_int64())
        p->priority = val.as_int64();
      else
        p->extra_valves[k] = val;
    }
    return reply{200, json::serialize(valves_of(*p)), 0};
  }
  return std::nullopt;
}

}  // namespace

bool configure(std::string_view spec) {
  boost::system::error_code ec;
  auto v = json::parse(spec, ec);
  if (ec || !v.is_array()) return false;
  for (auto& item : v.as_array()) {
    if (!item.is_object()) return false;
    auto& o = item.as_object();
    pipeline p;
    auto str = [&](const char* k, std::string fallback) {
      auto* f = o.if_contains(k);
      return f && f->is_string() ? std::string(f->as_string()) : fallback;
    };
    p.id = str("id", "");
    if (p.id.empty()) return false;
    p.name = str("name", p.id);
    p.type = str("type", "pipe");
    p.action = str("action", "tag");
    if (auto* t = o.if_contains("pipelines"); t && t->is_array()) p.targets = t->as_array();
    if (auto* pr = o.if_contains("priority"); pr && pr->is_int64()) p.priority = pr->as_int64();
    pipelines.push_back(std::move(p));
  }
  configured = true;
  return true;
}

void serve_server_level_filters() { server_filters = true; }
bool enabled() { return configured || server_filters; }
bool server_level() { return server_filters; }

std::optional<reply> answer(std::string_view method, const std::string& path,
                            const std::string& body, std::string_view content_type,
                            std::string_view authorization) {
  if (server_filters) {
    if (method == "POST" && (path == "/inlet" || path == "/outlet"))
      return run_filter("server", path.substr(1), "tag", body, authorization);
    return std::nullopt;
  }
  if (!configured) return std::nullopt;
  for (std::string_view phase : {"inlet", "outlet"}) {
    auto suffix = "/filter/" + std::string(phase);
    if (method != "POST" || !path.ends_with(suffix) || path.size() <= suffix.size() + 1) continue;
    auto id = path.substr(1, path.size() - suffix.size() - 1);
    auto* p = find(id);
    if (!p) return reply{404, detail("Filter " + id + " not found"), 0};
    return run_filter(id, phase, p->type == "filter" ? p->action : "tag", body, authorization);
  }
  if (auto r = admin(method, path, body, content_type)) return r;
  return valves(method, path, body);
}

std::string models_json() {
  json::array data;
  for (auto& p : pipelines) data.push_back(item_of(p));
  return json::serialize(json::object{{"data", data}, {"object", "list"}, {"pipelines", true}});
}

json::value stats() { return json::object{{"calls", calls}}; }

}  // namespace fake_pipelines
