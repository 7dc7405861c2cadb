#pragma once
// The stream pump's use of the framing scans, replayed: bytes arrive in reads of given sizes, each
// flush writes what last_event_end says is complete (from the scanned mark, as the pump keeps it)
// and keeps the rest at the buffer's start; a per-event consumer (a stream hook) walks the written
// bytes with next_event_end. Both must cut the stream exactly where a scan of the whole stream
// does: a disagreement loses or repeats bytes for that consumer. Shared by the framing unit test
// and the framing fuzz target.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/upstream/framing.hpp"

namespace sb::testing {

/// The events of `s` as next_event_end chains cut them over the whole of it (the rest, with no
/// boundary, left out).
inline std::vector<std::string> whole_scan(framing f, std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t at = 0, e; (e = next_event_end(f, s.data(), at, s.size())) != 0; at = e)
    out.emplace_back(s.substr(at, e - at));
  return out;
}

/// Replays the pump over `s` arriving in reads of `splits` bytes (cycled; 0 taken as 1): each
/// flush hands `on_flush` the bytes it writes.
template <class OnFlush>
void replay_pump(framing f, std::string_view s, const std::vector<std::size_t>& splits,
                 OnFlush on_flush) {
  std::string buf;
  std::size_t scanned = 0, at = 0, k = 0;
  while (at < s.size()) {
    std::size_t n = splits.empty() ? s.size() : std::max<std::size_t>(1, splits[k++ % splits.size()]);
    n = std::min(n, s.size() - at);
    buf.append(s.substr(at, n));
    at += n;
    std::size_t boundary = last_event_end(f, buf.data(), scanned, buf.size());
    scanned = buf.size() >= 2 ? buf.size() - 2 : 0;
    if (boundary == 0) continue;
    on_flush(std::string_view(buf.data(), boundary));
    buf.erase(0, boundary);
    scanned = 0;
  }
}

/// The events a pump hook would see: each flush walked with next_event_end.
inline std::vector<std::string> pumped(framing f, std::string_view s,
                                       const std::vector<std::size_t>& splits) {
  std::vector<std::string> out;
  replay_pump(f, s, splits, [&](std::string_view w) {
    for (std::size_t e, from = 0; (e = next_event_end(f, w.data(), from, w.size())) != 0; from = e)
      out.emplace_back(w.substr(from, e - from));
  });
  return out;
}

/// The bytes written by the pump's flushes (without a hook).
inline std::string written(framing f, std::string_view s, const std::vector<std::size_t>& splits) {
  std::string out;
  replay_pump(f, s, splits, [&](std::string_view w) { out.append(w); });
  return out;
}

/// What a whole scan says was complete: the events' bytes, joined.
inline std::string complete_prefix(framing f, std::string_view s) {
  std::string out;
  for (auto& e : whole_scan(f, s)) out += e;
  return out;
}

}  // namespace sb::testing
