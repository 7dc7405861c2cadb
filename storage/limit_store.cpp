#include "storage/limit_store.hpp"

#include <boost/json.hpp>

#include "config/limit_rules.hpp"

namespace sb {

namespace json = boost::json;

std::string limit_record_id(limit_scope scope, std::string_view id) {
  std::string out(scope_name(scope));
  out += '/';
  out += id;
  return out;
}

bool decode_limit_rule(const record& r, limit_rule& out) {
  if (r.deleted) return false;
  boost::system::error_code ec;
  auto v = json::parse(r.data, ec);
  if (ec || !v.is_object()) return false;
  auto& o = v.as_object();
  auto* scope = o.if_contains("scope");
  auto* id = o.if_contains("id");
  auto named = scope && scope->is_string() ? scope_named(std::string_view(scope->get_string()))
                                           : std::nullopt;
  if (!named || !id || !id->is_string()) return false;
  out = limit_rule{};
  out.scope = *named;
  out.id = std::string(id->get_string());
  if (auto* at = o.if_contains("updated_at"); at && at->is_int64()) out.updated_at = at->get_int64();
  for (auto key : {"scope", "id", "updated_at"}) o.erase(key);
  return read_limit_body(json::serialize(o), out).empty();
}

limit_store::limit_store(std::shared_ptr<record_store> records) : records_(std::move(records)) {}

bool limit_store::load(std::vector<limit_rule>& out, std::string& error) {
  auto stored = records_->load(kind, error);
  if (!error.empty()) return false;
  for (auto& r : stored) {
    if (r.deleted) continue;
    limit_rule rule;
    if (!decode_limit_rule(r, rule)) {
      error = "stored limit '" + r.id + "' is not in the expected shape";
      return false;
    }
    out.push_back(std::move(rule));
  }
  return true;
}

bool limit_store::put(const limit_rule& rule, std::string& error) {
  return records_->write({{std::string(kind), limit_record_id(rule.scope, rule.id),
                           records_->next_version(), false, limit_rule_json(rule)}},
                         error);
}

bool limit_store::remove(limit_scope scope, const std::string& id, std::string& error) {
  return records_->write(
      {{std::string(kind), limit_record_id(scope, id), records_->next_version(), true, {}}}, error);
}

}  // namespace sb
