#pragma once
// Where a streamed body may be cut between two client writes without splitting a message: after a
// complete SSE event (a blank line, "\n\n" or "\r\n\r\n"). The relay holds back what follows the
// last boundary, so a stream the upstream cuts never leaves the client half an event, and the
// error event that replaces the rest starts on a clean line.
#include <cstddef>

namespace sb {

/// The end (one past the blank line) of the last complete SSE event in buf[0, end), looking only
/// at boundaries that end after `from` (bytes before it were scanned already); 0 when none.
inline std::size_t last_sse_event_end(const char* buf, std::size_t from, std::size_t end) {
  for (std::size_t i = end; i > from && i >= 2; --i) {
    if (buf[i - 1] != '\n') continue;
    if (buf[i - 2] == '\n') return i;
    if (i >= 3 && buf[i - 2] == '\r' && buf[i - 3] == '\n') return i;
  }
  return 0;
}

}  // namespace sb
