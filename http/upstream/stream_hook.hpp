#pragma once
// A per-event view of a streamed answer. Given to the relay (upstream_request::hook), it sees every
// complete event as the upstream framed it and writes what the client gets instead (and a whole
// successful answer, once): the unified routes convert Ollama's NDJSON to OpenAI's SSE through
// it, usage accounting reads the last event.
// Without one (the common case) the relay writes the upstream's bytes untouched, and the hook costs
// one pointer test per upstream read.
#include <string>
#include <string_view>

#include "http/upstream/framing.hpp"

namespace sb {

class stream_hook {
 public:
  virtual ~stream_hook() = default;
  /// The framing the client gets (for the final error event of a cut stream).
  virtual framing output_framing(framing upstream) const { return upstream; }
  /// The Content-Type the client gets.
  virtual std::string_view content_type(std::string_view upstream) const { return upstream; }
  /// One complete event, its boundary included (the last one of a stream may lack it): append
  /// what the client gets to `out`.
  virtual void on_event(std::string_view event, std::string& out) = 0;
  /// The upstream ended the stream normally: append anything that closes it for the client.
  virtual void on_end(std::string& out) {}
  /// A successful whole (not streamed) answer: rewrite `body` and its `content_type` in place.
  /// False when it cannot (the gateway then answers 502: not what was asked for).
  virtual bool on_whole(std::string& body, std::string& content_type) { return true; }
};

}  // namespace sb
