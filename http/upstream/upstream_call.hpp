#pragma once
// One request to an upstream whose whole answer the gateway itself reads (model lists, version
// and ps fan-outs, verify, unload): pooled connection, a fresh one on a stale pool, interim
// answers skipped, a total deadline, the answer's size capped. Runs on the calling I/O thread.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sb {

class upstream_endpoint;
struct upstream_cancel;
class memory_budget;
class budget_lease;

/// What came back: a status and body, or (status 0) why nothing did.
struct upstream_reply {
  int status = 0;
  std::string body;
  std::string error;    // transport failure, for a client-facing message
  bool timed_out = false;
  bool connect_failed = false;  // no connection could be opened at all
  bool cancelled = false;       // its client left (`cancel` was requested)
  bool over_budget = false;     // the answer would not fit in the memory budget (status 0)
  // What `body` holds of the memory budget, when the call was made with one: kept as long as
  // the reply (or a copy) lives.
  std::shared_ptr<budget_lease> lease;
};

/// How a call is made besides its method, path and body.
struct call_options {
  std::chrono::milliseconds timeout{0};   // all of it, from the first byte sent
  std::uint64_t max_bytes = 32ull << 20;  // the largest answer body read
  std::shared_ptr<upstream_cancel> cancel;
  memory_budget* budget = nullptr;  // when set, the answer's bytes count against it
  std::string content_type = "application/json";  // of a non-empty body
};

/// `method` {base}{path} with `body` (JSON when not empty), all of it within `timeout`. Holds the
/// endpoint while it runs. `cancel`, when given, abandons the call at once when requested (the
/// client it was made for left): whatever socket operation is in flight is cancelled.
boost::asio::awaitable<upstream_reply> call_upstream(
    std::shared_ptr<upstream_endpoint> ep, boost::beast::http::verb method, std::string path,
    std::string body, std::chrono::milliseconds timeout, std::uint64_t max_bytes = 32ull << 20,
    std::shared_ptr<upstream_cancel> cancel = nullptr);

/// The same, with every option.
boost::asio::awaitable<upstream_reply> call_upstream(std::shared_ptr<upstream_endpoint> ep,
                                                     boost::beast::http::verb method,
                                                     std::string path, std::string body,
                                                     call_options options);

/// Runs `calls` (one per endpoint) concurrently on the calling I/O thread and waits for all.
boost::asio::awaitable<std::vector<upstream_reply>> call_all(
    std::vector<boost::asio::awaitable<upstream_reply>> calls);

}  // namespace sb
