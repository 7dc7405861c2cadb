#pragma once
// The admit stage: before any byte goes upstream, a request to a model is checked against the
// limits of its user, its API key and its model (limits_snapshot, built by the limits actor),
// and counted in them: a request in the minute's window, its worst-case tokens reserved in the
// minute's tokens and in the budget's period, one more in flight. Over a limit, it is refused
// (429, Retry-After, a message that names the limit) and nothing it counted stays counted. When
// the request ends, `settle` replaces the reservation with what the answer reported it used.
//
// Every check is a compare-and-swap on a counter every I/O thread shares: exact within the node,
// no lock, no actor on the way. The worst case is the input's size in tokens (its bytes / 4)
// plus max_tokens (or max_completion_tokens, max_output_tokens, Ollama's num_predict), else the
// model's max_output_tokens rule, else LIMITS_DEFAULT_MAX_TOKENS; an embedding reserves no output.
// An answer that used more than reserved (an input denser than 4 bytes a token) overshoots by
// that much; an answer whose usage is unknown keeps its whole reservation as spent.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/server/errors.hpp"
#include "messages/limit_types.hpp"

namespace sb {

/// What a request is, as its limits see it.
struct admission_request {
  std::string_view user_id;
  std::string_view key_id;      // empty: not an API key
  std::string_view model;       // empty: none named (the passthrough)
  std::string_view connection;  // the first connection picked, if any (free connections)
  std::uint64_t input_bytes = 0;
  std::int64_t max_output = -1;  // as the request asks; -1: it does not say
  std::int64_t choices = 1;      // answers it asks for (n): each may use max_output
  bool generates = true;         // false: an embedding (no output tokens)
  std::uint64_t default_max_output = 4096;
  std::int64_t now_s = 0;
};

/// Why a request is refused.
struct limit_refusal {
  limit_kind kind = limit_kind::rpm;
  std::size_t whose = 0;  // 0: the user's limit, 1: the key's, 2: the model's
  std::string message;
  std::int64_t retry_after_s = 1;
};

/// What a request counted in one subject's counters (the user's, the key's or the model's).
struct limit_hold {
  limit_counters* counters = nullptr;
  std::uint64_t minute = 0;        // of the rpm and tpm counts
  bool counted_request = false;
  std::int64_t tpm_reserved = -1;  // -1: no tpm limit
  bool in_flight = false;
  std::uint64_t period = 0;
  std::int64_t budget_reserved = -1;  // -1: no budget (or a free model)

  /// Gives back what was counted, the reservation replaced by `used` (-1: kept as it is);
  /// `undo_request` also takes the request out of its minute (a refused request).
  void release(std::int64_t used, bool undo_request);
};

/// What a request holds of its limits until it ends. Settled once; a request that ends without
/// settling (the gateway stopping) releases its place in flight and keeps its tokens as spent.
class admission {
 public:
  admission() = default;
  admission(const admission&) = delete;
  admission& operator=(const admission&) = delete;
  ~admission() { settle(-1); }

  /// The request ended having used `used` tokens (-1: unknown: the reservation stays spent).
  void settle(std::int64_t used);
  /// Tokens the request reserved.
  std::int64_t reserved() const { return reserved_; }

 private:
  friend std::optional<limit_refusal> admit_request(std::shared_ptr<const limits_snapshot>,
                                            const admission_request&, admission&);
  std::shared_ptr<const limits_snapshot> table_;  // keeps the counters alive
  std::array<limit_hold, 3> holds_{};
  std::size_t count_ = 0;
  std::int64_t reserved_ = 0;
};

/// Checks and counts `r` against the limits in `table`; a refusal leaves nothing counted.
std::optional<limit_refusal> admit_request(std::shared_ptr<const limits_snapshot> table,
                                   const admission_request& r, admission& out);

/// The refusal's body in the route's dialect: OpenAI's rate_limit_exceeded (or, for a budget,
/// insufficient_quota) error, Ollama's string error.
std::string limit_refusal_body(const limit_refusal& r, error_dialect d);

}  // namespace sb
