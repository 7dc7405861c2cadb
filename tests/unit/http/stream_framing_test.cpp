#define CAF_SUITE stream_framing
#include "http/upstream/stream_framing.hpp"

#include <caf/test/unit_test.hpp>
#include <string>

using namespace sb;

namespace {
std::size_t end_of(const std::string& s, std::size_t from = 0) {
  return last_sse_event_end(s.data(), from, s.size());
}
}  // namespace

CAF_TEST(complete events end at their blank line) {
  CAF_CHECK_EQUAL(end_of("data: a\n\n"), 9u);
  CAF_CHECK_EQUAL(end_of("data: a\n\ndata: b\n\n"), 18u);
  CAF_CHECK_EQUAL(end_of("data: a\r\n\r\n"), 11u);
}

CAF_TEST(a partial event is held back) {
  CAF_CHECK_EQUAL(end_of("data: a\n\ndata: {\"x\":"), 9u);
  CAF_CHECK_EQUAL(end_of("data: a\n"), 0u);
  CAF_CHECK_EQUAL(end_of("data: a\r\n"), 0u);
  CAF_CHECK_EQUAL(end_of(""), 0u);
  CAF_CHECK_EQUAL(end_of("\n"), 0u);
}

CAF_TEST(a boundary split across reads is found from the scanned mark) {
  // The first read ended with "\n"; the second brings the "\n" that completes the event.
  std::string s = "data: a\n";
  CAF_CHECK_EQUAL(end_of(s), 0u);
  auto scanned = s.size() - 2;
  s += "\ndata: b";
  CAF_CHECK_EQUAL(end_of(s, scanned), 9u);
  std::string crlf = "data: a\r\n\r";
  CAF_CHECK_EQUAL(end_of(crlf), 0u);
  scanned = crlf.size() - 2;
  crlf += "\n";
  CAF_CHECK_EQUAL(end_of(crlf, scanned), 11u);
}
