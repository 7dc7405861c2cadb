// Fuzz target for the stream framing (http/upstream/framing.hpp) as the stream pump uses it:
// an upstream's SSE or NDJSON body arriving in reads of arbitrary sizes. The pump writes what
// last_event_end says is complete and a stream hook walks it with next_event_end; both must cut
// exactly where a scan of the whole body does (tests/support/framing_differential.hpp).
// Input: byte 0 picks the framing (odd: NDJSON), bytes 1-4 are read sizes, the rest is the body.
#include <vector>

#include "replay_main.hpp"
#include "support/framing_differential.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  auto f = data[0] % 2 ? sb::framing::ndjson : sb::framing::sse;
  std::vector<std::size_t> splits(data + 1, data + 5);
  std::string body(reinterpret_cast<const char*>(data + 5), size - 5);
  using namespace sb::testing;
  if (written(f, body, splits) != complete_prefix(f, body))
    sb::fuzz::violated("the pump's flushes differ from a whole scan", body);
  if (pumped(f, body, splits) != whole_scan(f, body))
    sb::fuzz::violated("a per-event consumer saw other events than a whole scan", body);
  return 0;
}
