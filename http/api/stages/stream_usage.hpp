#pragma once
// A stream's usage when its client did not ask for it. OpenAI-shaped streams report usage only
// when the request says stream_options.include_usage; the gateway then asks on the client's
// behalf (ask_stream_usage) and keeps what that changes from the client (usage_chunk_filter): the
// usage-only chunk, and the `"usage": null` every other chunk then carries. The relay reads the
// usage from the upstream's events before the filter sees them, so the record has it, and the
// client's stream is what it would have been without the ask. ASK_STREAM_USAGE=false turns it off.
#include <string>

#include "http/api/chat_request.hpp"
#include "http/server/response.hpp"
#include "http/upstream/stream_hook.hpp"
#include "http/upstream/upstream_relay.hpp"

namespace sb {

struct runtime;

/// For a metered OpenAI-shaped request (`v` its view, `up` what goes upstream) that streams
/// without asking for its usage: asks for it and gives `up` the filter that keeps the answer as
/// the client expects it. Nothing otherwise (usage tracking off, ASK_STREAM_USAGE=false, not a
/// stream, the client asked, or `up` already has a hook).
void meter_stream_usage(const session_io& s, const runtime& rt, const chat_request_view& v,
                        upstream_request& up);

/// Rewrites `body` (whose view is `v`, a streamed request that did not ask) to ask for the
/// stream's usage. False when the body is unreadable (it is then left as it was).
bool ask_stream_usage(std::string& body, const chat_request_view& v);

/// Drops from an SSE stream what the ask added. Events it does not change pass byte for byte.
class usage_chunk_filter final : public stream_hook {
 public:
  void on_event(std::string_view event, std::string& out) override;
};

}  // namespace sb
