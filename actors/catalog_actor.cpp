#include "actors/catalog_actor.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>
#include <ctime>
#include <set>

#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {

bool same_models(const std::vector<model_entry>& a, const std::vector<model_entry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].id != b[i].id || a[i].upstream_id != b[i].upstream_id ||
        a[i].entry_json != b[i].entry_json || a[i].listed != b[i].listed ||
        a[i].pipeline != b[i].pipeline || a[i].filter_priority != b[i].filter_priority ||
        a[i].filter_targets != b[i].filter_targets)
      return false;
  return true;
}

void republish(catalog_actor::stateful_pointer<catalog_state> self) {
  auto& st = self->state;
  st.current = build_catalog(st.lists, st.current ? st.current->generation + 1 : 1, st.balancing,
                             &st.filter_stats);
  if (st.published) st.published->publish(st.current);
}

// Ollama's OpenAI-compatible list entry (GET /ollama/v1/models), as Open WebUI renders it.
std::string v1_entry(const std::string& id, std::int64_t created) {
  boost::json::object o{{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "openai"}};
  return boost::json::serialize(o);
}

// The per-server lists (/ollama/api/tags/{url_idx}) and the OpenAI-shaped ones (/ollama/v1/models).
void render_ollama_per_server(const std::vector<const upstream_models*>& lists,
                              catalog_snapshot& snap) {
  auto created = static_cast<std::int64_t>(std::time(nullptr));
  auto all = model_list::openai_shaped();
  std::set<std::string_view> seen;
  for (auto* l : lists) {
    const auto& key = l->key;
    if (key.kind != provider_kind::ollama) continue;
    auto tags = model_list::ollama_tags();
    auto v1 = model_list::openai_shaped();
    for (auto& m : l->models) {
      tags.add(m.id, m.entry_json);
      v1.add(m.id, v1_entry(m.id, created));
      if (seen.insert(m.id).second) all.add(m.id, v1_entry(m.id, created));
    }
    tags.finish();
    v1.finish();
    snap.ollama_tags_by_idx[key.idx] = std::move(tags);
    snap.ollama_v1_models_by_idx[key.idx] = std::move(v1);
  }
  all.finish();
  snap.ollama_v1_models = std::move(all);
}

// The merged /ollama/api/tags: the first occurrence's entry of each model, with "urls" (every
// connection index serving it) spliced in before its closing brace.
model_list merged_tags(const std::vector<std::pair<std::string, std::string>>& entries,
                       std::map<std::string, std::vector<int>, std::less<>>& urls_of) {
  auto tags = model_list::ollama_tags();
  for (auto& [id, entry] : entries) {
    std::string merged(entry, 0, entry.size() - 1);
    merged += entry.size() > 2 ? R"(,"urls":[)" : R"("urls":[)";
    auto& urls = urls_of[id];
    for (std::size_t i = 0; i < urls.size(); ++i) {
      if (i) merged += ',';
      merged += std::to_string(urls[i]);
    }
    merged += "]}";
    tags.add(id, std::move(merged));
  }
  tags.finish();
  return tags;
}

// Whether a pipe of this list has its own inlet and outlet called: as Open WebUI, only on a
// connection with a key; a seed-form server's filters are its server-wide ones.
bool runs_own_filters(const upstream_models& list) {
  if (!list.endpoint) return false;
  auto spec = list.endpoint->settings();
  return !spec->api_key.empty() && !spec->server_filters;
}

}  // namespace

std::shared_ptr<const catalog_snapshot> build_catalog(
    const std::map<std::string, upstream_models>& by_id, std::uint64_t generation,
    const balancing_choice& balancing, filter_stats_registry* filter_stats) {
  // Listed in Open WebUI's order: OpenAI connections by urlIdx, then Ollama's.
  std::vector<const upstream_models*> lists;
  for (auto& [id, list] : by_id) lists.push_back(&list);
  std::sort(lists.begin(), lists.end(),
            [](const upstream_models* a, const upstream_models* b) { return a->key < b->key; });
  auto snap = std::make_shared<catalog_snapshot>();
  snap->generation = generation;
  auto openai = model_list::openai_shaped();
  // Ollama: first occurrence's entry wins, urls collects every connection index.
  std::vector<std::pair<std::string, std::string>> ollama_entries;  // id, entry json
  std::map<std::string, std::vector<int>, std::less<>> ollama_urls;
  for (auto* l : lists) {
    const auto& list = *l;
    const auto& key = list.key;
    if (list.endpoint) snap->upstreams.push_back(list.endpoint);
    if (list.endpoint && list.pipelines) snap->pipeline_servers.push_back(list.endpoint);
    auto& routes = key.kind == provider_kind::openai ? snap->openai : snap->ollama;
    for (auto& m : list.models) {
      if (m.pipeline == pipeline_role::filter) continue;  // not a model: see filter_index
      auto& route = routes[m.id];
      bool pipe = m.pipeline == pipeline_role::pipe;
      route.targets.push_back({list.endpoint, m.upstream_id, list.weight, list.priority, pipe,
                               pipe && runs_own_filters(list)});
      route.policy = balancing.for_model(m.id);
      route.needs_caller |= list.endpoint && list.endpoint->needs_caller();
      if (key.kind == provider_kind::openai) {
        if (!m.listed) continue;
        openai.add(m.id, m.entry_json);
        auto [one, made] = snap->openai_models_by_idx.try_emplace(key.idx, model_list::openai_shaped());
        one->second.add(m.id, m.entry_json);
      } else {
        auto& urls = ollama_urls[m.id];
        if (urls.empty()) ollama_entries.emplace_back(m.id, m.entry_json);
        urls.push_back(key.idx);
      }
    }
  }
  openai.finish();
  snap->openai_models = std::move(openai);
  for (auto& [idx, one] : snap->openai_models_by_idx) one.finish();
  snap->ollama_tags = merged_tags(ollama_entries, ollama_urls);
  render_ollama_per_server(lists, *snap);
  snap->filters = build_filter_index(lists, filter_stats);
  return snap;
}

catalog_actor::behavior_type catalog_actor_impl(catalog_actor::stateful_pointer<catalog_state> self,
                                                snapshot_cell<catalog_snapshot>* published,
                                                balancing_choice balancing) {
  self->state.published = published;
  self->state.balancing = std::move(balancing);
  republish(self);
  return {
      [self](live_atom, live_connection& c) {
        auto& st = self->state;
        auto& id = c.endpoint->id();
        st.live[id] = c.endpoint;
        auto it = st.lists.find(id);
        if (it == st.lists.end() || it->second.endpoint == c.endpoint) return;
        // Replaced (new URL, key, auth or headers): the connection's list keeps serving, through
        // the new endpoint, until the new one has fetched its own; the old endpoint is let go.
        it->second.endpoint = c.endpoint;
        it->second.key = c.key;
        republish(self);
      },
      [self](models_atom, upstream_models& m) {
        auto& st = self->state;
        auto& id = m.endpoint->id();
        auto live = st.live.find(id);
        if (live == st.live.end() || live->second != m.endpoint)
          return;  // from a connection stopped or replaced since: never let it back in
        // The new connection's first word replaces a list kept across its replacement, a failure
        // included: that list is a bridge for a fetch in progress, not something to keep serving.
        auto it = st.lists.find(id);
        auto endpoint = m.endpoint;
        auto fetch = m.fetch;
        if (it == st.lists.end() || it->second.endpoint != m.endpoint || it->second.key != m.key ||
            it->second.weight != m.weight || it->second.priority != m.priority ||
            it->second.pipelines != m.pipelines ||
            !same_models(it->second.models, m.models)) {
          st.lists[id] = std::move(m);
          republish(self);
        }  // else nothing a client could see changed (health lives on the endpoint)
        endpoint->note_list_fetch_applied(fetch);  // routing sees this fetch's list now
      },
      [self](remove_atom, const std::string& id) {
        auto& st = self->state;
        st.live.erase(id);
        if (st.lists.erase(id) > 0) republish(self);
      },
      [self](status_atom) {
        std::vector<std::string> ids;
        for (auto& [id, r] : self->state.current->openai) ids.push_back(id);
        for (auto& [id, r] : self->state.current->ollama) ids.push_back(id);
        std::sort(ids.begin(), ids.end());
        return std::make_tuple(self->state.current->generation, std::move(ids));
      },
  };
}

}  // namespace sb
