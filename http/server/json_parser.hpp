#pragma once
// The simdjson On-Demand parser of the calling thread, shared by everything that reads a request
// body (chat requests, the reasoning-model rules, the members an adapter drops). One per thread:
// parsers are not thread-safe, and allocating one per request would cost more than the parse.
// Uses must not nest (each finishes with its document before the next starts).
// simdjson's On-Demand types depend on the compile flags: every file that includes this is built
// with the same ones (CMakeLists.txt: SIMDJSON_SOURCES).
#include <simdjson.h>

#include <string>

#include "http/server/growing_string_body.hpp"

namespace sb {

static_assert(json_body_padding >= simdjson::SIMDJSON_PADDING,
              "bodies must be read with the room simdjson reads past their end");

/// `body` for simdjson to read where it lies: made to hold SIMDJSON_PADDING bytes of capacity
/// past its end (a body read by growing_string_body already does: no copy).
inline simdjson::padded_string_view padded_in_place(std::string& body) {
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
}

simdjson::ondemand::parser& thread_json_parser();

/// Lets go of the parser's buffers once a large document grew them: they grow to about five
/// times the largest document parsed and would stay so (after one 60 MB body, some 250 MB per
/// thread for good). Call after each use.
void trim_thread_json_parser();

}  // namespace sb
