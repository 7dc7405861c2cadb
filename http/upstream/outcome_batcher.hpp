#pragma once
// How outcomes reach a connection's upstream_actor without a message per request: each I/O thread
// adds them to the connection's per-thread load (connection_load::pending) and, the first time in
// a window, queues the connection and arms one timer; when it fires, every queued connection gets
// one outcome_batch. A busy thread thus sends at most one message per connection per window, an
// idle one none (no timer runs when nothing happened).
#include <chrono>
#include <memory>

#include "messages/health_types.hpp"

namespace sb {

class upstream_endpoint;
struct runtime;

/// How long outcomes wait to be reported: short enough that five failures in a row eject a
/// connection within milliseconds, long enough that a busy gateway wakes the actors rarely.
inline constexpr std::chrono::milliseconds outcome_report_window{5};

/// Records `o` for `ep` on the calling I/O thread (on any other thread it is reported at once).
void record_outcome(runtime& rt, const std::shared_ptr<upstream_endpoint>& ep, request_outcome o);

}  // namespace sb
