#include "storage/usage_store.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace sb {

namespace json = boost::json;

namespace {

// The separator between an id's parts, escaped (with '%') where a part holds it.
constexpr char separator = '\x1f';

void append_part(std::string& id, std::string_view part) {
  id += separator;
  for (char c : part) {
    if (c == '%') id += "%25";
    else if (c == separator) id += "%1F";
    else id += c;
  }
}

std::string hour_prefix(std::int64_t hour) { return fmt::format("{:012d}", std::max<std::int64_t>(hour, 0)); }

std::uint64_t count_in(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  std::uint64_t n = 0;
  if (v && v->is_uint64()) n = v->get_uint64();
  else if (v && v->is_int64() && v->get_int64() > 0) n = static_cast<std::uint64_t>(v->get_int64());
  return n;
}

std::string text_in(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string usage_row_id(const usage_key& k, std::string_view node) {
  std::string id = hour_prefix(k.hour);
  for (auto part : {std::string_view(node), std::string_view(k.user_id),
                    std::string_view(k.api_key_id), std::string_view(k.model),
                    std::string_view(k.connection)})
    append_part(id, part);
  return id;
}

std::string encode_usage_row(const usage_row& r) {
  json::object o;
  o["hour"] = r.key.hour;
  o["user_id"] = r.key.user_id;
  o["api_key_id"] = r.key.api_key_id;
  o["model"] = r.key.model;
  o["connection"] = r.key.connection;
  o["requests"] = r.counts.requests;
  o["prompt_tokens"] = r.counts.prompt_tokens;
  o["completion_tokens"] = r.counts.completion_tokens;
  o["cancelled"] = r.counts.cancelled;
  o["errors"] = r.counts.errors;
  o["usage_unknown"] = r.counts.usage_unknown;
  return json::serialize(o);
}

bool decode_usage_row(const record& r, usage_row& out) {
  if (r.deleted) return false;
  boost::system::error_code ec;
  auto v = json::parse(r.data, ec);
  if (ec || !v.is_object()) return false;
  auto& o = v.as_object();
  auto* hour = o.if_contains("hour");
  if (!hour || !hour->is_int64()) return false;
  out.key = {hour->get_int64(), text_in(o, "user_id"), text_in(o, "api_key_id"),
             text_in(o, "model"), text_in(o, "connection")};
  out.counts = {count_in(o, "requests"), count_in(o, "prompt_tokens"),
                count_in(o, "completion_tokens"), count_in(o, "cancelled"),
                count_in(o, "errors"), count_in(o, "usage_unknown")};
  return true;
}

usage_store::usage_store(std::shared_ptr<record_store> records) : records_(std::move(records)) {}

bool usage_store::add(const std::vector<usage_row>& rows, std::string& error) {
  std::vector<record> batch;
  std::vector<std::pair<std::string, usage_counts>> totals;
  for (auto& row : rows) {
    auto id = usage_row_id(row.key, records_->node());
    usage_row total = row;
    if (auto it = written_.find(id); it != written_.end()) {
      total.counts += it->second;
    } else if (auto stored = records_->get(kind, id, error)) {
      usage_row before;
      if (decode_usage_row(*stored, before)) total.counts += before.counts;
    } else if (!error.empty()) {
      return false;
    }
    batch.push_back({std::string(kind), id, records_->next_version(), false,
                     encode_usage_row(total)});
    totals.emplace_back(std::move(id), total.counts);
    newest_hour_ = std::max(newest_hour_, row.key.hour);
  }
  if (!records_->write(batch, error)) return false;
  for (auto& [id, counts] : totals) written_[id] = counts;
  // Only rows of the last two hours are written to again: older ones leave the cache.
  auto oldest = hour_prefix(newest_hour_ - 1);
  std::erase_if(written_, [&](const auto& e) { return e.first < oldest; });
  return true;
}

bool usage_store::scan(std::int64_t from_hour, std::int64_t to_hour,
                       const std::function<void(const usage_row&)>& f, std::string& error) {
  return records_->scan(
      kind, hour_prefix(from_hour), hour_prefix(to_hour),
      [&](record&& r) {
        usage_row row;
        if (decode_usage_row(r, row)) f(row);
        return true;
      },
      error);
}

bool usage_store::erase_before(std::int64_t hour, std::string& error) {
  std::erase_if(written_, [&](const auto& e) { return e.first < hour_prefix(hour); });
  return records_->erase_range(kind, hour_prefix(0), hour_prefix(hour), error);
}

}  // namespace sb
