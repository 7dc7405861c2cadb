#include "http/api/stages/admit.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <algorithm>

#include "config/limit_rules.hpp"

namespace sb {

namespace json = boost::json;

namespace {

constexpr std::uint64_t low32 = 0xffff'ffffull;

// Adds `n` to the count of `minute` in a window word (a new minute starts from zero), unless
// that passes `limit`. False when it would.
bool add_in_window(std::atomic<std::uint64_t>& word, std::uint64_t minute, std::uint64_t n,
                   std::uint64_t limit) {
  auto seen = word.load(std::memory_order_relaxed);
  for (;;) {
    std::uint64_t count = (seen >> 32) == minute ? (seen & low32) : 0;
    if (count + n > limit) return false;
    auto next = minute << 32 | std::min(count + n, low32);
    if (word.compare_exchange_weak(seen, next, std::memory_order_relaxed)) return true;
  }
}

// Changes the count of `minute` by `delta` (never below zero); nothing once the minute is over.
void adjust_window(std::atomic<std::uint64_t>& word, std::uint64_t minute, std::int64_t delta) {
  auto seen = word.load(std::memory_order_relaxed);
  for (;;) {
    if ((seen >> 32) != minute || delta == 0) return;
    auto count = static_cast<std::int64_t>(seen & low32) + delta;
    auto next = minute << 32 | std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max<std::int64_t>(count, 0)), low32);
    if (word.compare_exchange_weak(seen, next, std::memory_order_relaxed)) return;
  }
}

// The budget's twin of the one above, in its period (a new period starts from zero).
void adjust_period(std::atomic<std::uint64_t>& word, std::uint64_t period, std::int64_t delta) {
  auto seen = word.load(std::memory_order_relaxed);
  for (;;) {
    if ((seen >> limit_counters::budget_bits) != period || delta == 0) return;
    auto spent = static_cast<std::int64_t>(seen & limit_counters::budget_mask) + delta;
    auto next = limit_counters::budget_word(period, static_cast<std::uint64_t>(std::max<std::int64_t>(spent, 0)));
    if (word.compare_exchange_weak(seen, next, std::memory_order_relaxed)) return;
  }
}

std::int64_t seconds_to_next_minute(std::int64_t now_s) { return 60 - now_s % 60; }

std::string refusal_text(const limit_subject& s, limit_kind k, std::uint64_t limit,
                         std::int64_t need, std::uint64_t left) {
  auto& source = s.source[static_cast<std::size_t>(k)];
  switch (k) {
    case limit_kind::rpm:
      return fmt::format("Rate limit reached: {} requests per minute ({})", limit, source);
    case limit_kind::tpm:
      if (static_cast<std::uint64_t>(need) > limit)
        return fmt::format("This request may use {} tokens, more than the {} tokens per minute "
                           "allowed ({}); ask for fewer (max_tokens)", need, limit, source);
      return fmt::format("Rate limit reached: {} tokens per minute ({}); this request may use {}",
                         limit, source, need);
    case limit_kind::in_flight:
      return fmt::format("Too many requests at once: at most {} in flight ({})", limit, source);
    case limit_kind::budget:
      return fmt::format("Token budget exhausted: {} tokens per {} ({}); {} left, this request may "
                         "use {}", limit, period_name(s.period), source, left, need);
  }
  return {};
}

// A cluster's budget with tokens left, but not on this gateway yet: it has asked the gateway that
// keeps the budget for more, so the client may try again in a moment.
std::string allowance_text(const limit_subject& s, std::int64_t need) {
  return fmt::format("Token budget: this gateway is waiting for more of the {} tokens per {} ({}) "
                     "from the gateway that keeps the budget; this request may use {}, try again "
                     "in a moment",
                     *s.budget_tokens, period_name(s.period),
                     s.source[static_cast<std::size_t>(limit_kind::budget)], need);
}

// Checks one subject's limits and counts the request in them, into `h`.
std::optional<limit_refusal> admit_subject(const limit_subject& s, std::size_t whose,
                                           const admission_request& r, std::int64_t need,
                                           bool free, limit_hold& h) {
  auto& c = *s.counters;
  h.counters = &c;
  h.minute = static_cast<std::uint64_t>(r.now_s / 60);
  auto refuse = [&](limit_kind k, std::uint64_t limit, std::int64_t retry, std::uint64_t left = 0) {
    return limit_refusal{k, whose, refusal_text(s, k, limit, need, left), std::max<std::int64_t>(retry, 1)};
  };
  if (s.rpm) {
    if (!add_in_window(c.requests, h.minute, 1, *s.rpm))
      return refuse(limit_kind::rpm, *s.rpm, seconds_to_next_minute(r.now_s));
    h.counted_request = true;
  }
  if (s.tpm) {
    if (!add_in_window(c.tokens, h.minute, static_cast<std::uint64_t>(need), *s.tpm))
      return refuse(limit_kind::tpm, *s.tpm, seconds_to_next_minute(r.now_s));
    h.tpm_reserved = need;
  }
  if (s.max_in_flight) {
    if (c.in_flight.fetch_add(1, std::memory_order_relaxed) + 1 >
        static_cast<std::int64_t>(*s.max_in_flight)) {
      c.in_flight.fetch_sub(1, std::memory_order_relaxed);
      return refuse(limit_kind::in_flight, *s.max_in_flight, 1);
    }
    h.in_flight = true;
  }
  if (s.budget_tokens && !free) {
    h.period = period_index(s.period, r.now_s);
    std::uint64_t left = 0;
    auto cap = s.leased ? limit_counters::budget_in(c.allowance.load(std::memory_order_relaxed),
                                                    h.period)
                        : *s.budget_tokens;
    if (!c.reserve_budget(h.period, static_cast<std::uint64_t>(need), cap, left)) {
      if (s.leased) {
        c.starved_need.store(static_cast<std::uint64_t>(need), std::memory_order_relaxed);
        auto elsewhere = c.held_elsewhere.load(std::memory_order_relaxed);
        if (elsewhere == limit_counters::still_granting ||
            static_cast<std::uint64_t>(need) <= left + elsewhere)
          return limit_refusal{limit_kind::budget, whose, allowance_text(s, need), 1};
      }
      return refuse(limit_kind::budget, *s.budget_tokens, period_end(s.period, h.period) - r.now_s,
                    left);
    }
    h.budget_reserved = need;
  }
  return std::nullopt;
}

// The tokens a request may use at most, as far as can be told before it goes.
std::int64_t worst_case(const limits_snapshot& t, const admission_request& r) {
  auto input = static_cast<std::int64_t>((r.input_bytes + 3) / 4);
  if (!r.generates) return input;
  auto output = r.max_output;
  if (output < 0) {
    auto it = t.max_output_tokens.find(r.model);
    output = static_cast<std::int64_t>(it != t.max_output_tokens.end() ? it->second
                                                                       : r.default_max_output);
  }
  // Every count here is at most 2^40 (choices too): the product cannot overflow.
  return input + output * std::clamp<std::int64_t>(r.choices, 1, 128);
}

}  // namespace

void limit_hold::release(std::int64_t used, bool undo_request) {
  if (!counters) return;
  if (undo_request && counted_request) adjust_window(counters->requests, minute, -1);
  if (tpm_reserved >= 0 && used >= 0) adjust_window(counters->tokens, minute, used - tpm_reserved);
  if (in_flight) counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
  if (budget_reserved >= 0 && used >= 0)
    adjust_period(counters->budget, period, used - budget_reserved);
  counters = nullptr;
}

void admission::settle(std::int64_t used) {
  for (std::size_t i = 0; i < count_; ++i) holds_[i].release(used, false);
  count_ = 0;
}

std::optional<limit_refusal> admit_request(std::shared_ptr<const limits_snapshot> table,
                                   const admission_request& r, admission& out) {
  auto& t = *table;
  const limit_subject* subjects[3] = {nullptr, nullptr, nullptr};
  if (auto it = t.users.find(r.user_id); it != t.users.end()) subjects[0] = &it->second;
  else if (t.unlisted && !r.user_id.empty()) subjects[0] = &*t.unlisted;
  if (!r.key_id.empty())
    if (auto it = t.keys.find(r.key_id); it != t.keys.end()) subjects[1] = &it->second;
  if (!r.model.empty())
    if (auto it = t.models.find(r.model); it != t.models.end()) subjects[2] = &it->second;
  if (!subjects[0] && !subjects[1] && !subjects[2]) return std::nullopt;
  bool free = t.free_models.count(r.model) || t.free_connections.count(r.connection);
  auto need = worst_case(t, r);
  out.table_ = std::move(table);
  out.reserved_ = need;
  for (std::size_t whose = 0; whose < 3; ++whose) {
    if (!subjects[whose]) continue;
    auto& h = out.holds_[out.count_++];
    if (auto refused = admit_subject(*subjects[whose], whose, r, need, free, h)) {
      for (std::size_t i = 0; i < out.count_; ++i) out.holds_[i].release(0, true);
      out.count_ = 0;
      return refused;
    }
  }
  return std::nullopt;
}

std::string limit_refusal_body(const limit_refusal& r, error_dialect d) {
  json::object o;
  o["detail"] = r.message;
  if (d == error_dialect::ollama) {
    o["error"] = r.message;
    return json::serialize(o);
  }
  bool quota = r.kind == limit_kind::budget;
  json::object e;
  e["message"] = r.message;
  e["type"] = quota ? "insufficient_quota" : r.kind == limit_kind::tpm ? "tokens" : "requests";
  e["param"] = nullptr;
  e["code"] = quota ? "insufficient_quota" : "rate_limit_exceeded";
  o["error"] = std::move(e);
  return json::serialize(o);
}

}  // namespace sb
