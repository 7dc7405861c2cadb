#include "storage/account_store.hpp"

#include <unordered_map>

#include <boost/json.hpp>

namespace sb {

namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
std::int64_t int_of(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  boost::system::error_code bad;
  auto n = v && v->is_number() ? v->to_number<std::int64_t>(bad) : 0;
  return bad ? 0 : n;
}
std::string json_of(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? json::serialize(*v) : std::string("null");
}
json::value parsed(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}
std::optional<json::object> object_of(const record& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.data, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string encode_key(const api_key_account& k) {
  return json::serialize(json::object{{"user_id", k.user_id},
                                      {"hash", k.hash},
                                      {"display", k.display},
                                      {"created_at", k.created_at}});
}
bool decode_key(const record& r, api_key_account& k) {
  auto o = object_of(r);
  if (!o) return false;
  k.id = r.id;
  k.user_id = text_of(*o, "user_id");
  k.hash = text_of(*o, "hash");
  k.display = text_of(*o, "display");
  k.created_at = int_of(*o, "created_at");
  return !k.user_id.empty() && !k.hash.empty();
}

std::string encode_group(const group_account& g) {
  json::array members;
  for (auto& m : g.member_ids) members.emplace_back(m);
  return json::serialize(json::object{{"user_id", g.user_id},
                                      {"name", g.name},
                                      {"description", g.description},
                                      {"permissions", parsed(g.permissions_json)},
                                      {"data", parsed(g.data_json)},
                                      {"meta", parsed(g.meta_json)},
                                      {"member_ids", std::move(members)},
                                      {"created_at", g.created_at},
                                      {"updated_at", g.updated_at}});
}
bool decode_group(const record& r, group_account& g) {
  auto o = object_of(r);
  if (!o) return false;
  g.id = r.id;
  g.user_id = text_of(*o, "user_id");
  g.name = text_of(*o, "name");
  g.description = text_of(*o, "description");
  g.permissions_json = json_of(*o, "permissions");
  g.data_json = json_of(*o, "data");
  g.meta_json = json_of(*o, "meta");
  if (auto* m = o->if_contains("member_ids"); m && m->is_array())
    for (auto& id : m->as_array())
      if (id.is_string()) g.member_ids.emplace_back(id.as_string());
  g.created_at = int_of(*o, "created_at");
  g.updated_at = int_of(*o, "updated_at");
  return true;
}

std::string encode_revoked(const revoked_token& t) {
  return json::serialize(json::object{{"user_id", t.user_id}, {"expires_at", t.expires_at}});
}
bool decode_revoked(const record& r, revoked_token& t) {
  auto o = object_of(r);
  if (!o) return false;
  t.user_id = text_of(*o, "user_id");
  t.expires_at = int_of(*o, "expires_at");
  return !t.user_id.empty();
}

}  // namespace

bool account_record_reads(const record& r) {
  if (r.deleted) return true;
  auto o = object_of(r);
  if (!o) return false;
  if (r.kind == account_store::user_kind) {
    user_account u;
    return decode_user(r, u);
  }
  if (r.kind == account_store::key_kind) {
    api_key_account k;
    return decode_key(r, k);
  }
  if (r.kind == account_store::group_kind) {
    auto* p = o->if_contains("permissions");
    return !p || p->is_object() || p->is_null();
  }
  if (r.kind == account_store::revoked_kind) {
    revoked_token t;
    return decode_revoked(r, t);
  }
  if (r.kind == account_store::setting_kind) return r.id == "default_permissions";
  if (r.kind == account_store::activity_kind) {
    auto* at = o->if_contains("last_active_at");
    return at && at->is_number();
  }
  return false;
}

std::string encode_user(const user_account& u) {
  return json::serialize(json::object{{"name", u.name},
                                      {"email", u.email},
                                      {"role", to_string(u.role)},
                                      {"profile_image_url", u.profile_image_url},
                                      {"password_hash", u.password_hash},
                                      {"created_at", u.created_at},
                                      {"updated_at", u.updated_at},
                                      {"last_active_at", u.last_active_at},
                                      {"epoch", u.epoch}});
}

bool decode_user(const record& r, user_account& u) {
  auto o = object_of(r);
  if (!o) return false;
  auto role = parse_account_role(text_of(*o, "role"));
  if (!role) return false;
  u.id = r.id;
  u.name = text_of(*o, "name");
  u.email = text_of(*o, "email");
  u.role = *role;
  u.profile_image_url = text_of(*o, "profile_image_url");
  u.password_hash = text_of(*o, "password_hash");
  u.created_at = int_of(*o, "created_at");
  u.updated_at = int_of(*o, "updated_at");
  u.last_active_at = int_of(*o, "last_active_at");
  u.epoch = static_cast<std::uint64_t>(std::max<std::int64_t>(1, int_of(*o, "epoch")));
  return !u.email.empty();
}

account_store::account_store(std::shared_ptr<record_store> records)
    : records_(std::move(records)) {}

bool account_store::load(accounts_snapshot& out, std::string& error) {
  auto users = records_->load(user_kind, error);
  auto keys = error.empty() ? records_->load(key_kind, error) : std::vector<record>{};
  auto groups = error.empty() ? records_->load(group_kind, error) : std::vector<record>{};
  auto revoked = error.empty() ? records_->load(revoked_kind, error) : std::vector<record>{};
  auto settings = error.empty() ? records_->load(setting_kind, error) : std::vector<record>{};
  auto activity = error.empty() ? records_->load(activity_kind, error) : std::vector<record>{};
  if (!error.empty()) return false;
  std::unordered_map<std::string, std::int64_t> active_at;
  for (auto& r : activity)
    if (auto o = r.deleted ? std::nullopt : object_of(r)) active_at[r.id] = int_of(*o, "last_active_at");
  auto bad = [&](const record& r) {
    error = "stored " + r.kind + " '" + r.id + "' is not in the expected shape";
    return false;
  };
  std::int64_t first = 0;
  for (auto& r : users) {
    if (r.deleted) continue;
    user_account u;
    if (!decode_user(r, u)) return bad(r);
    if (auto a = active_at.find(u.id); a != active_at.end())
      u.last_active_at = std::max(u.last_active_at, a->second);
    if (out.primary_admin.empty() || u.created_at < first ||
        (u.created_at == first && u.id < out.primary_admin)) {
      first = u.created_at;
      out.primary_admin = u.id;
    }
    out.user_by_email[u.email] = u.id;
    auto shared = std::make_shared<const user_account>(std::move(u));
    out.users.emplace(shared->id, std::move(shared));
  }
  for (auto& r : keys) {
    if (r.deleted) continue;
    api_key_account k;
    if (!decode_key(r, k)) return bad(r);
    auto shared = std::make_shared<const api_key_account>(std::move(k));
    out.keys_by_hash.emplace(shared->hash, std::move(shared));
  }
  for (auto& r : groups) {
    if (r.deleted) continue;
    group_account g;
    if (!decode_group(r, g)) return bad(r);
    out.groups.emplace(g.id, std::move(g));
  }
  for (auto& r : revoked) {
    if (r.deleted) continue;
    revoked_token t;
    if (!decode_revoked(r, t)) return bad(r);
    out.revoked_tokens.emplace(r.id, std::move(t));
  }
  out.index_memberships();
  for (auto& r : settings)
    if (!r.deleted && r.id == "default_permissions") out.default_permissions = r.data;
  return true;
}

bool account_store::write(const change& c, std::string& error) {
  auto version = records_->next_version();
  std::vector<record> batch;
  for (auto& u : c.users)
    batch.push_back({std::string(user_kind), u.id, version, false, encode_user(u)});
  for (auto& k : c.keys)
    batch.push_back({std::string(key_kind), k.id, version, false, encode_key(k)});
  for (auto& g : c.groups)
    batch.push_back({std::string(group_kind), g.id, version, false, encode_group(g)});
  for (auto& [id, t] : c.revoked)
    batch.push_back({std::string(revoked_kind), id, version, false, encode_revoked(t)});
  if (c.default_permissions)
    batch.push_back({std::string(setting_kind), "default_permissions", version, false,
                     *c.default_permissions});
  for (auto& [id, at] : c.activity)
    batch.push_back({std::string(activity_kind), id, version, false,
                     json::serialize(json::object{{"last_active_at", at}})});
  for (auto& [kind, id] : c.deleted) batch.push_back({kind, id, version, true, {}});
  return records_->write(batch, error);
}

}  // namespace sb
