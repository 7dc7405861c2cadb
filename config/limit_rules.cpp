#include "config/limit_rules.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <chrono>

namespace sb {

namespace json = boost::json;

namespace {

constexpr std::int64_t day_s = 86'400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A count as the body gives it: a non-negative integer below 2^40 (a bigger limit is none in
// practice and would overflow the packed counters), or null / absent.
bool read_count(const json::object& o, std::string_view key, std::optional<std::uint64_t>& out,
                std::string& why) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  std::int64_t n = -1;
  if (v->is_int64()) n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() < (1ull << 40)) n = static_cast<std::int64_t>(v->get_uint64());
  if (n < 0 || n >= (std::int64_t{1} << 40)) {
    why = std::string(key) + " must be a whole number from 0, or null";
    return false;
  }
  out = static_cast<std::uint64_t>(n);
  return true;
}

json::value count_value(const std::optional<std::uint64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

}  // namespace

std::string_view scope_name(limit_scope s) {
  switch (s) {
    case limit_scope::user: return "user";
    case limit_scope::group: return "group";
    case limit_scope::key: return "key";
    case limit_scope::model: return "model";
    case limit_scope::fallback: return "default";
    case limit_scope::connection: return "connection";
  }
  return "user";
}

std::optional<limit_scope> scope_named(std::string_view name) {
  for (auto s : {limit_scope::user, limit_scope::group, limit_scope::key, limit_scope::model,
                 limit_scope::fallback, limit_scope::connection})
    if (scope_name(s) == name) return s;
  return std::nullopt;
}

std::string_view period_name(budget_period p) {
  switch (p) {
    case budget_period::day: return "day";
    case budget_period::week: return "week";
    case budget_period::month: return "month";
  }
  return "month";
}

std::optional<budget_period> period_named(std::string_view name) {
  for (auto p : {budget_period::day, budget_period::week, budget_period::month})
    if (period_name(p) == name) return p;
  return std::nullopt;
}

std::string read_limit_body(std::string_view body, limit_rule& out) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return "the body must be a JSON object";
  auto& o = v.as_object();
  static constexpr std::string_view known[] = {"rpm", "tpm", "max_in_flight", "budget_tokens",
                                               "budget_period", "max_output_tokens", "free"};
  for (auto& [k, _] : o)
    if (std::find(std::begin(known), std::end(known), std::string_view(k)) == std::end(known))
      return "unknown field '" + std::string(k) + "': expected rpm, tpm, max_in_flight, "
             "budget_tokens, budget_period, max_output_tokens or free";
  std::string why;
  for (auto [key, dst] : {std::pair{"rpm", &out.rpm}, std::pair{"tpm", &out.tpm},
                          std::pair{"max_in_flight", &out.max_in_flight},
                          std::pair{"budget_tokens", &out.budget_tokens},
                          std::pair{"max_output_tokens", &out.max_output_tokens}})
    if (!read_count(o, key, *dst, why)) return why;
  // A minute's counts are kept in 32 bits.
  for (auto [key, v] : {std::pair{"rpm", &out.rpm}, std::pair{"tpm", &out.tpm}})
    if (*v && **v > 0xffff'ffffull) return std::string(key) + " must be below 2^32";
  if (auto* p = o.if_contains("budget_period"); p && !p->is_null()) {
    auto named = p->is_string() ? period_named(std::string_view(p->get_string())) : std::nullopt;
    if (!named) return "budget_period must be \"day\", \"week\" or \"month\"";
    out.period = *named;
  }
  if (auto* f = o.if_contains("free"); f && !f->is_null()) {
    if (!f->is_bool()) return "free must be true or false";
    out.free = f->get_bool();
  }
  bool model = out.scope == limit_scope::model, connection = out.scope == limit_scope::connection;
  if (out.free && !model && !connection) return "only a model or a connection can be free";
  if (out.max_output_tokens && !model) return "max_output_tokens is set for a model";
  if (connection && (out.rpm || out.tpm || out.max_in_flight || out.budget_tokens))
    return "a connection's rule only marks it free";
  return {};
}

std::string limit_rule_json(const limit_rule& r) {
  json::object o;
  o["scope"] = scope_name(r.scope);
  o["id"] = r.id;
  o["rpm"] = count_value(r.rpm);
  o["tpm"] = count_value(r.tpm);
  o["max_in_flight"] = count_value(r.max_in_flight);
  o["budget_tokens"] = count_value(r.budget_tokens);
  o["budget_period"] = period_name(r.period);
  o["max_output_tokens"] = count_value(r.max_output_tokens);
  o["free"] = r.free;
  o["updated_at"] = r.updated_at;
  return json::serialize(o);
}

std::uint64_t period_index(budget_period p, std::int64_t unix_s) {
  auto days = floor_div(unix_s, day_s);
  switch (p) {
    case budget_period::day: return static_cast<std::uint64_t>(days);
    case budget_period::week: return static_cast<std::uint64_t>(floor_div(days + 3, 7));  // Monday
    case budget_period::month: {
      std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
      return static_cast<std::uint64_t>(static_cast<int>(ymd.year()) * 12 +
                                        static_cast<unsigned>(ymd.month()) - 1);
    }
  }
  return 0;
}

std::int64_t period_start(budget_period p, std::uint64_t index) {
  auto i = static_cast<std::int64_t>(index);
  switch (p) {
    case budget_period::day: return i * day_s;
    case budget_period::week: return (i * 7 - 3) * day_s;
    case budget_period::month: {
      using namespace std::chrono;
      year_month_day first{year(static_cast<int>(i / 12)), month(static_cast<unsigned>(i % 12 + 1)),
                           day(1)};
      return sys_days(first).time_since_epoch() / seconds(1);
    }
  }
  return 0;
}

std::int64_t period_end(budget_period p, std::uint64_t index) { return period_start(p, index + 1); }

}  // namespace sb
