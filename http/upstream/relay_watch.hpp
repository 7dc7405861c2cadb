#pragma once
// What the relay knows of its client while the upstream works, and the streams each I/O thread is
// relaying. The watch (upstream_cancel) learns that the session's read ended (the client left:
// `requested`) or that the drain deadline passed (`shutting_down`), and cancels the one upstream
// socket operation in flight (`current`, set for one attempt at a time and cleared before that
// attempt's connection can be freed).
#include <spdlog/spdlog.h>

#include <memory>
#include <unordered_set>

#include "http/server/client_reader.hpp"
#include "http/server/response.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

using client_watch = upstream_cancel;

inline void start_watch(session_io& s, const std::shared_ptr<client_watch>& w) {
  if (!s.reader) return;
  if (!s.reader->watch([w] {
        spdlog::debug("client left: cancelling its upstream request");
        w->request();
      }))
    spdlog::debug("client departure not watched (no read outstanding)");
}

inline void stop_watch(session_io& s) {
  if (s.reader) s.reader->unwatch();
}

/// The streams this I/O thread is relaying, so that a drain deadline can end each with an error
/// event rather than a bare close.
std::unordered_set<client_watch*>& open_streams();

/// Registered while a stream is relayed.
struct streaming_registration {
  client_watch& w;
  explicit streaming_registration(client_watch& watch) : w(watch) { open_streams().insert(&w); }
  ~streaming_registration() { open_streams().erase(&w); }
  streaming_registration(const streaming_registration&) = delete;
  streaming_registration& operator=(const streaming_registration&) = delete;
};

/// Points the watch at one attempt's upstream socket, and never past the attempt.
struct watch_scope {
  client_watch& w;
  watch_scope(client_watch& watch, boost::beast::tcp_stream* socket) : w(watch) {
    w.current = socket;
  }
  ~watch_scope() { w.current = nullptr; }
  watch_scope(const watch_scope&) = delete;
  watch_scope& operator=(const watch_scope&) = delete;
};

}  // namespace sb
