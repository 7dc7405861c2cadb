#pragma once
// What one request was, for the record stage: who asked, which route, model and connection, the
// status, bytes in and out, time to the first byte of the answer, attempts, whether the client
// left before the end, the tokens the answer reports it used, and how long it took. Filled as the request passes (the session, the
// router, the relay, the writes to the client), collected per I/O thread and handed over in
// batches (http/server/request_log.hpp) to the access log and usage accounting. Never a secret: no key, token, query or body.
#include <caf/allowed_unsafe_message_type.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

struct request_record {
  std::int64_t at_ms = 0;      // when it arrived (unix ms)
  std::string_view method;     // static strings: Beast's verb names
  std::string_view route = "other";  // the route table's pattern
  std::string user_id;
  std::string api_key_id;      // when it came with an API key
  std::string model;           // as the client named it
  std::string connection;      // id of the connection that answered (the last attempt's)
  unsigned status = 0;
  std::uint64_t bytes_in = 0;  // request body
  std::uint64_t bytes_out = 0;  // everything written to the client
  std::int64_t first_byte_us = -1;  // from arrival to the first byte written; -1: none
  std::int64_t first_event_us = -1;  // a stream's: from arrival to its first event written
  unsigned attempts = 0;       // upstream attempts
  bool cancelled = false;      // the client left before the answer ended
  bool cut = false;            // the upstream broke the answer off (its stream ended in error)
  bool metered = false;        // a request to a model (the admit stage ran): usage counts it
  std::int64_t prompt_tokens = -1;      // as the answer reports; -1: it did not (yet) say
  std::int64_t completion_tokens = -1;
  std::int64_t duration_us = 0;
  std::chrono::steady_clock::time_point started{};  // (not reported: the clock durations use)
};

using request_records = std::vector<request_record>;

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::request_records)
