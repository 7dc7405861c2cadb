#include "storage/lease_store.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "config/limit_rules.hpp"

namespace sb {

namespace json = boost::json;

namespace {

void take_larger(std::map<std::string, std::uint64_t>& into,
                 const std::map<std::string, std::uint64_t>& from) {
  for (auto& [who, n] : from) {
    auto& mine = into[who];
    mine = std::max(mine, n);
  }
}

json::object counts_json(const std::map<std::string, std::uint64_t>& m) {
  json::object o;
  for (auto& [who, n] : m) o[who] = n;
  return o;
}

// A count: a JSON integer, not negative.
bool as_count(const json::value& v, std::uint64_t& out) {
  if (v.is_uint64()) out = v.get_uint64();
  else if (v.is_int64() && v.get_int64() >= 0) out = static_cast<std::uint64_t>(v.get_int64());
  else return false;
  return true;
}

bool read_count(const json::object& o, std::string_view name, std::uint64_t& out) {
  auto* v = o.if_contains(name);
  return !v || as_count(*v, out);
}

bool read_counts(const json::object& o, std::string_view name,
                 std::map<std::string, std::uint64_t>& out) {
  auto* v = o.if_contains(name);
  if (!v) return true;
  if (!v->is_object()) return false;
  for (auto& [who, n] : v->as_object())
    if (who.empty() || !as_count(n, out[std::string(who)])) return false;
  return true;
}

std::optional<json::object> parse_object(std::string_view data) {
  boost::system::error_code ec;
  auto v = json::parse(data, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// Splits off the text before the next '/', advancing `rest` past it.
std::optional<std::string_view> next_part(std::string_view& rest) {
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  auto part = rest.substr(0, slash);
  rest.remove_prefix(slash + 1);
  return part;
}

std::optional<lease_subject> read_subject(std::string_view period, std::string_view index,
                                          std::string_view scope, std::string_view id) {
  lease_subject s;
  auto p = period_named(period);
  auto sc = scope_named(scope);
  auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), s.index);
  if (!p || !sc || ec != std::errc{} || end != index.data() + index.size() || id.empty())
    return std::nullopt;
  s.period = *p;
  s.scope = *sc;
  s.id = std::string(id);
  return s;
}

}  // namespace

std::string lease_subject::key() const {
  std::string out(period_name(period));
  out += '/';
  out += std::to_string(index);
  out += '/';
  out += scope_name(scope);
  out += '/';
  out += id;
  return out;
}

std::string lease_record_id(const lease_subject& s, std::string_view writer) {
  std::string out(period_name(s.period));
  out += '/';
  out += std::to_string(s.index);
  out += '/';
  out += writer;
  out += '/';
  out += scope_name(s.scope);
  out += '/';
  out += s.id;
  return out;
}

std::optional<std::pair<lease_subject, std::string>> lease_record_subject(std::string_view rest) {
  auto period = next_part(rest);
  auto index = period ? next_part(rest) : std::nullopt;
  auto writer = index ? next_part(rest) : std::nullopt;
  auto scope = writer ? next_part(rest) : std::nullopt;
  if (!scope) return std::nullopt;
  auto s = read_subject(*period, *index, *scope, rest);
  if (!s) return std::nullopt;
  return std::pair{std::move(*s), std::string(*writer)};
}

void lease_grants::absorb(const lease_grants& other) {
  budget = std::max(budget, other.budget);
  base = std::max(base, other.base);
  take_larger(granted, other.granted);
  take_larger(confirmed, other.confirmed);
  take_larger(answered, other.answered);
}

void lease_ask::absorb(const lease_ask& other) {
  if (other.writes > writes) {
    need = other.need;
    holding = other.holding;
    writes = other.writes;
  }
  asks = std::max(asks, other.asks);
  released = std::max(released, other.released);
}

std::string encode_lease(const lease_grants& l) {
  return json::serialize(json::object{{"budget", l.budget},
                                      {"base", l.base},
                                      {"granted", counts_json(l.granted)},
                                      {"confirmed", counts_json(l.confirmed)},
                                      {"answered", counts_json(l.answered)}});
}

std::string encode_want(const lease_ask& w) {
  return json::serialize(json::object{{"asks", w.asks},
                                      {"need", w.need},
                                      {"released", w.released},
                                      {"holding", w.holding},
                                      {"writes", w.writes}});
}

bool decode_lease(std::string_view data, lease_grants& out) {
  auto o = parse_object(data);
  out = {};
  return o && read_count(*o, "budget", out.budget) && read_count(*o, "base", out.base) &&
         read_counts(*o, "granted", out.granted) && read_counts(*o, "confirmed", out.confirmed) &&
         read_counts(*o, "answered", out.answered);
}

bool decode_want(std::string_view data, lease_ask& out) {
  auto o = parse_object(data);
  out = {};
  return o && read_count(*o, "asks", out.asks) && read_count(*o, "need", out.need) &&
         read_count(*o, "released", out.released) && read_count(*o, "holding", out.holding) &&
         read_count(*o, "writes", out.writes);
}

bool lease_record_reads(const record& r) {
  if (!lease_record_subject(r.id)) return false;
  lease_grants l;
  lease_ask w;
  return r.kind == lease_kind ? decode_lease(r.data, l)
                              : r.kind == want_kind && decode_want(r.data, w);
}

bool lease_store::load(
    const std::function<void(const lease_subject&, const std::string&, lease_grants)>& lease,
    const std::function<void(const lease_subject&, const std::string&, lease_ask)>& want,
    std::string& error) {
  for (auto& r : records_->load(lease_kind, error)) {
    lease_grants l;
    auto s = lease_record_subject(r.id);
    if (!r.deleted && s && decode_lease(r.data, l)) lease(s->first, s->second, std::move(l));
  }
  if (!error.empty()) return false;
  for (auto& r : records_->load(want_kind, error)) {
    lease_ask w;
    auto s = lease_record_subject(r.id);
    if (!r.deleted && s && decode_want(r.data, w)) want(s->first, s->second, w);
  }
  return error.empty();
}

bool lease_store::write(const std::vector<std::pair<lease_subject, lease_grants>>& leases,
                        const std::vector<std::pair<lease_subject, lease_ask>>& wants,
                        std::string_view node, std::string_view incarnation,
                        std::string& error) {
  std::vector<record> batch;
  for (auto& [s, l] : leases)
    batch.push_back({std::string(lease_kind), lease_record_id(s, node), records_->next_version(),
                     false, encode_lease(l)});
  for (auto& [s, w] : wants)
    batch.push_back({std::string(want_kind), lease_record_id(s, incarnation),
                     records_->next_version(), false, encode_want(w)});
  return batch.empty() || records_->write(batch, error);
}

}  // namespace sb
