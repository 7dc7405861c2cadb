#pragma once
// The record stage's collection: each I/O thread keeps the records of its finished requests and,
// the first time in a window, arms one timer; when it fires, the batch goes to the sink (the
// access log actor) in one hand-off. A busy thread hands over at most one batch per window, an
// idle one nothing; with no sink (ACCESS_LOG off) nothing is recorded at all.
#include <chrono>
#include <functional>

#include "messages/request_record.hpp"

namespace sb {

struct runtime;

/// Where batches go (set once, before the server starts; empty: no records are made).
using request_sink = std::function<void(request_records)>;

inline constexpr std::chrono::milliseconds request_log_window{200};

/// Keeps `r` for this thread's next batch (call on an I/O thread).
void note_request(runtime& rt, request_record&& r);

/// Hands every I/O thread's batch over now, without waiting for its window, and returns once
/// they all have (at shutdown, after the drain, while the I/O threads still run: the records of
/// the last window are not lost).
void hand_over_request_logs(runtime& rt);

}  // namespace sb
