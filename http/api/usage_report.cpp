#include "http/api/usage_report.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "http/api/query_string.hpp"

namespace sb {

namespace json = boost::json;

namespace {

constexpr std::int64_t default_days = 30;

struct field_name {
  usage_field bit;
  std::string_view name;  // in group_by
};
constexpr field_name group_names[] = {{usage_by_user, "user"},       {usage_by_key, "key"},
                                      {usage_by_model, "model"},     {usage_by_connection, "connection"},
                                      {usage_by_day, "day"},         {usage_by_hour, "hour"}};

std::string read_group_by(std::string_view list, std::uint8_t& out) {
  out = 0;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    bool known = false;
    for (auto& f : group_names)
      if (f.name == name) {
        out |= f.bit;
        known = true;
      }
    if (!known)
      return fmt::format("group_by: '{}' is not one of user, key, model, connection, day, hour",
                         name.substr(0, 40));
  }
  return {};
}

bool read_number(std::string_view s, int& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

// The last second a query may name (9999-12-31T23:59:59Z): later ones would overflow the hours.
constexpr std::int64_t latest_time = 253'402'300'799;

std::string hour_text(std::int64_t hour) {
  using namespace std::chrono;
  auto t = sys_seconds(hours(hour));
  auto day = floor<days>(t);
  year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:00:00Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     (hour % 24 + 24) % 24);
}

// The group's fields, in the order the answer lists them.
template <class Put>
void group_fields(const usage_row& r, std::uint8_t group_by, Put put) {
  if (group_by & usage_by_hour) put("hour", hour_text(r.key.hour));
  else if (group_by & usage_by_day) put("day", hour_text(r.key.hour).substr(0, 10));
  if (group_by & usage_by_user) put("user_id", r.key.user_id);
  if (group_by & usage_by_key) put("api_key_id", r.key.api_key_id);
  if (group_by & usage_by_model) put("model", r.key.model);
  if (group_by & usage_by_connection) put("connection", r.key.connection);
}

template <class Put>
void count_fields(const usage_counts& c, Put put) {
  put("requests", c.requests);
  put("prompt_tokens", c.prompt_tokens);
  put("completion_tokens", c.completion_tokens);
  put("total_tokens", c.prompt_tokens + c.completion_tokens);
  put("cancelled", c.cancelled);
  put("errors", c.errors);
  put("usage_unknown", c.usage_unknown);
}

// A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180); one that
// a spreadsheet would run as a formula gets a leading quote mark.
std::string csv_field(std::string_view v) {
  std::string s(v);
  if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos)
    s.insert(0, "'");
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace

bool read_time(std::string_view text, std::int64_t& unix_seconds) {
  if (text.empty()) return false;
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), unix_seconds);
    return ec == std::errc{} && end == text.data() + text.size() && unix_seconds <= latest_time;
  }
  if (text.ends_with('Z')) text.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !read_number(text.substr(0, 4), y) ||
      !read_number(text.substr(5, 2), mo) || !read_number(text.substr(8, 2), d))
    return false;
  if (text.size() > 10) {
    auto t = text.substr(11);
    if ((text[10] != 'T' && text[10] != ' ') || t.size() < 5 || t[2] != ':' ||
        !read_number(t.substr(0, 2), h) || !read_number(t.substr(3, 2), mi) ||
        (t.size() > 5 && (t.size() != 8 || t[5] != ':' || !read_number(t.substr(6, 2), s))))
      return false;
  }
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return false;
  unix_seconds = (sys_days(ymd).time_since_epoch() / seconds(1)) + h * 3600 + mi * 60 + s;
  return true;
}

std::string read_usage_request(std::string_view target, std::int64_t now_s, usage_request& out) {
  if (auto why = read_group_by(query_value(target, "group_by"), out.query.group_by); !why.empty())
    return why;
  std::int64_t to = now_s, from = (now_s / 86'400 - (default_days - 1)) * 86'400;
  for (auto [name, dst] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    auto v = query_value(target, name);
    if (!v.empty() && !read_time(v, *dst))
      return fmt::format("{}: '{}' is not a time (unix seconds, or a date such as 2026-12-07 or "
                         "2026-12-07T13:00:00Z)",
                         name, v.substr(0, 40));
  }
  if (to < from) return "to is before from";
  out.query.from_hour = from / 3600;
  out.query.to_hour = (to + 3599) / 3600;  // the hour `to` falls in counts
  if (out.query.to_hour == out.query.from_hour) ++out.query.to_hour;
  for (auto [name, dst] : {std::pair{"user_id", &out.query.user_id},
                           std::pair{"model", &out.query.model},
                           std::pair{"api_key_id", &out.query.api_key_id}})
    if (auto v = query_value(target, name); !v.empty()) *dst = std::move(v);
  auto format = query_value(target, "format");
  if (!format.empty() && format != "json" && format != "csv")
    return "format: expected json or csv";
  out.csv = format == "csv";
  return {};
}

std::string render_usage_json(const usage_table& t, std::uint8_t group_by) {
  json::array data;
  data.reserve(t.rows.size());
  for (auto& r : t.rows) {
    json::object o;
    group_fields(r, group_by, [&](std::string_view k, const std::string& v) { o[k] = v; });
    count_fields(r.counts, [&](std::string_view k, std::uint64_t v) { o[k] = v; });
    data.emplace_back(std::move(o));
  }
  json::object out;
  out["data"] = std::move(data);
  return json::serialize(out);
}

std::string render_usage_csv(const usage_table& t, std::uint8_t group_by) {
  std::string out;
  usage_row none;
  bool first = true;
  auto header = [&](std::string_view k, const auto&) {
    if (!first) out += ',';
    first = false;
    out += k;
  };
  group_fields(none, group_by, header);
  count_fields(none.counts, header);
  out += "\r\n";
  for (auto& r : t.rows) {
    first = true;
    group_fields(r, group_by, [&](std::string_view, const std::string& v) {
      if (!first) out += ',';
      first = false;
      out += csv_field(v);
    });
    count_fields(r.counts, [&](std::string_view, std::uint64_t v) {
      if (!first) out += ',';
      first = false;
      out += std::to_string(v);
    });
    out += "\r\n";
  }
  return out;
}

}  // namespace sb
