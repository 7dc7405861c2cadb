#include "actors/usage_actor.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

namespace sb {

namespace {

using usage_pointer = usage_actor::stateful_pointer<usage_state>;

constexpr std::int64_t ms_per_hour = 3'600'000;

std::int64_t hour_now() {
  return std::chrono::duration_cast<std::chrono::hours>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes what is pending; kept for the next try when the write fails.
void flush(usage_pointer self) {
  auto& st = self->state;
  st.flush_armed = false;
  if (st.pending.empty()) return;
  std::vector<usage_row> rows;
  rows.reserve(st.pending.size());
  for (auto& [key, counts] : st.pending) rows.push_back({key, counts});
  std::string error;
  if (!st.store->add(rows, error)) {
    spdlog::error("usage_actor: usage not written yet: {}", error);
    if (!st.flush_armed) {
      st.flush_armed = true;
      self->delayed_send(self, usage_flush_interval * 5, flush_atom::value);
    }
    return;
  }
  st.pending.clear();
}

void expire(usage_pointer self) {
  std::string error;
  auto oldest = hour_now() - self->state.retention.count();
  if (!self->state.store->erase_before(oldest, error))
    spdlog::error("usage_actor: old usage not erased: {}", error);
}

// The meters of the record's model and connection, made (and published) the first time.
model_meters& meters_of(usage_pointer self, const request_record& r) {
  auto& st = self->state;
  auto found = st.meters.find(std::pair<std::string_view, std::string_view>(r.model, r.connection));
  if (found != st.meters.end()) return *found->second;
  auto& m = st.meters[{r.model, r.connection}];
  {
    m = std::make_shared<model_meters>();
    m->model = r.model;
    m->connection = r.connection;
    auto table = std::make_shared<usage_meter_table>();
    for (auto& [_, each] : st.meters) table->meters.push_back(each);
    st.published_meters->publish(std::move(table));
  }
  return *m;
}

void observe(usage_pointer self, const request_record& r) {
  if (!self->state.published_meters || r.connection.empty()) return;
  auto& m = meters_of(self, r);
  if (r.prompt_tokens >= 0) m.input_tokens.observe(static_cast<std::uint64_t>(r.prompt_tokens));
  if (r.completion_tokens >= 0)
    m.output_tokens.observe(static_cast<std::uint64_t>(r.completion_tokens));
  m.duration.observe(static_cast<std::uint64_t>(r.duration_us));
  auto first = r.first_event_us >= 0 ? r.first_event_us : r.first_byte_us;
  if (r.status < 400 && first >= 0) m.time_to_first_token.observe(static_cast<std::uint64_t>(first));
}

void take(usage_pointer self, const request_records& batch) {
  auto& st = self->state;
  for (auto& r : batch) {
    usage_key_view key;
    usage_counts counts;
    if (!usage_of(r, key, counts)) continue;
    auto row = st.pending.find(key);
    if (row == st.pending.end())
      row = st.pending.emplace(usage_key{key.hour, std::string(key.user_id), std::string(key.api_key_id),
                                         std::string(key.model), std::string(key.connection)},
                               usage_counts{}).first;
    row->second += counts;
    observe(self, r);
  }
  if (!st.pending.empty() && !st.flush_armed) {
    st.flush_armed = true;
    self->delayed_send(self, usage_flush_interval, flush_atom::value);
  }
}

usage_table answer(usage_pointer self, const usage_query& q) {
  flush(self);
  usage_table out;
  std::vector<usage_row> rows;
  auto keep = [&](const usage_row& r) {
    if (q.user_id && r.key.user_id != *q.user_id) return;
    if (q.api_key_id && r.key.api_key_id != *q.api_key_id) return;
    if (q.model && r.key.model != *q.model) return;
    rows.push_back(r);
  };
  if (!self->state.store->scan(q.from_hour, q.to_hour, keep, out.error)) return out;
  // What is still pending (a write that failed) counts too.
  for (auto& [key, counts] : self->state.pending)
    if (key.hour >= q.from_hour && key.hour < q.to_hour) keep({key, counts});
  out.rows = group_usage(rows, q.group_by);
  return out;
}

}  // namespace

bool usage_of(const request_record& r, usage_key_view& key, usage_counts& counts) {
  if (!r.metered) return false;
  key = {r.at_ms / ms_per_hour, r.user_id, r.api_key_id, r.model, r.connection};
  counts.requests = 1;
  if (r.prompt_tokens > 0) counts.prompt_tokens = static_cast<std::uint64_t>(r.prompt_tokens);
  if (r.completion_tokens > 0)
    counts.completion_tokens = static_cast<std::uint64_t>(r.completion_tokens);
  counts.cancelled = r.cancelled ? 1 : 0;
  counts.errors = r.status >= 400 || r.cut ? 1 : 0;
  // An answer came from an upstream and said nothing of what it used.
  counts.usage_unknown =
      !r.connection.empty() && r.prompt_tokens < 0 && r.completion_tokens < 0 ? 1 : 0;
  return true;
}

std::vector<usage_row> group_usage(const std::vector<usage_row>& rows, std::uint8_t group_by) {
  std::map<usage_key, usage_counts> groups;
  for (auto& r : rows) {
    usage_key k;
    if (group_by & usage_by_hour) k.hour = r.key.hour;
    else if (group_by & usage_by_day) k.hour = r.key.hour - r.key.hour % 24;
    if (group_by & usage_by_user) k.user_id = r.key.user_id;
    if (group_by & usage_by_key) k.api_key_id = r.key.api_key_id;
    if (group_by & usage_by_model) k.model = r.key.model;
    if (group_by & usage_by_connection) k.connection = r.key.connection;
    groups[std::move(k)] += r.counts;
  }
  std::vector<usage_row> out;
  out.reserve(groups.size());
  for (auto& [k, c] : groups) out.push_back({k, c});
  return out;
}

usage_actor::behavior_type usage_actor_impl(usage_actor::stateful_pointer<usage_state> self,
                                            std::shared_ptr<usage_store> store,
                                            std::chrono::hours retention,
                                            snapshot_cell<usage_meter_table>* meters) {
  self->state.store = std::move(store);
  self->state.retention = retention;
  self->state.published_meters = meters;
  expire(self);
  self->delayed_send(self, std::chrono::hours(1), expire_atom::value);
  // What is pending is written before the actor goes: the exit comes after the drain's last
  // records, in the same mailbox.
  self->set_exit_handler([self](caf::exit_msg& m) {
    flush(self);
    self->quit(m.reason);
  });
  return {
      [self](records_atom, const request_records& batch) { take(self, batch); },
      [self](flush_atom) { flush(self); },
      [self](expire_atom) {
        expire(self);
        self->delayed_send(self, std::chrono::hours(1), expire_atom::value);
      },
      [self](usage_atom, const usage_query& q) { return answer(self, q); },
  };
}

}  // namespace sb
