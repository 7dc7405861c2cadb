#pragma once
// How a streamed answer is cut into events, chosen from the upstream's Content-Type: SSE
// (text/event-stream: an event ends at a blank line, "\n\n" or "\r\n\r\n"), NDJSON
// (application/x-ndjson: an event is one line), or a whole body that is not streamed. The relay
// writes only complete events, holding back what follows the last boundary, so a stream the
// upstream cuts never leaves the client half an event and the error event that replaces the rest
// starts on a clean line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

enum class framing : std::uint8_t { whole, sse, ndjson };

/// Whose events an SSE stream carries, which decides how a cut stream's error event is shaped:
/// Chat Completions (and legacy completions) or the Responses API, whose clients validate every
/// event against its own types.
enum class sse_dialect : std::uint8_t { chat, responses };

/// The framing an answer with this Content-Type has: SSE, NDJSON (x-ndjson, jsonl, json-seq
/// lines), or whole. An absent or generic type (text/plain, application/octet-stream) gives
/// `otherwise`: the provider's default for a request that asked to stream, whole for one that did
/// not.
framing framing_of(std::string_view content_type, framing otherwise = framing::whole);

/// The end (one past the boundary) of the last complete event in buf[0, end), looking only at
/// boundaries that end after `from` (bytes before it were scanned already); 0 when none.
std::size_t last_event_end(framing f, const char* buf, std::size_t from, std::size_t end);

/// The end of the first complete event in buf[begin, end), or 0 when none is complete.
std::size_t next_event_end(framing f, const char* buf, std::size_t begin, std::size_t end);

/// The event that ends a stream which failed: `data: {"error": {...}}` for SSE (the OpenAI SDKs
/// raise it), a last `{"error": "..."}` line for NDJSON (Ollama's clients raise it). A Responses
/// stream ends with its own `event: error` (type "error", numbered `sequence` after the events
/// relayed).
std::string error_event(framing f, std::string_view message, sse_dialect d = sse_dialect::chat,
                        std::uint64_t sequence = 0);

}  // namespace sb
