#define CAF_SUITE framing
#include "http/upstream/framing.hpp"

#include <caf/test/unit_test.hpp>
#include <string>
#include <vector>

#include "support/framing_differential.hpp"

using namespace sb;

namespace {
std::size_t end_of(const std::string& s, std::size_t from = 0, framing f = framing::sse) {
  return last_event_end(f, s.data(), from, s.size());
}
std::vector<std::string> events(const std::string& s, framing f) {
  std::vector<std::string> out;
  for (std::size_t at = 0, e; (e = next_event_end(f, s.data(), at, s.size())) != 0; at = e)
    out.push_back(s.substr(at, e - at));
  return out;
}
}  // namespace

CAF_TEST(framing follows the content type) {
  CAF_CHECK(framing_of("text/event-stream") == framing::sse);
  CAF_CHECK(framing_of("Text/Event-Stream; charset=utf-8") == framing::sse);
  CAF_CHECK(framing_of("application/x-ndjson") == framing::ndjson);
  CAF_CHECK(framing_of("application/json; charset=utf-8") == framing::whole);
  CAF_CHECK(framing_of("application/json", framing::sse) == framing::whole);
  CAF_CHECK(framing_of("text/event-streamx") == framing::whole);
  CAF_CHECK(framing_of("", framing::ndjson) == framing::ndjson);
  CAF_CHECK(framing_of("text/plain", framing::sse) == framing::sse);
  CAF_CHECK(framing_of("") == framing::whole);
}

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
  // A blank line on its own is complete: an empty event, relayed as it came.
  CAF_CHECK_EQUAL(end_of("\n"), 1u);
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

CAF_TEST(ndjson events are lines) {
  auto f = framing::ndjson;
  CAF_CHECK_EQUAL(end_of("{\"a\":1}\n{\"b\":", 0, f), 8u);
  CAF_CHECK_EQUAL(end_of("{\"a\":1}", 0, f), 0u);
  CAF_CHECK_EQUAL(end_of("{\"a\":1}\n{\"b\":2}\n", 0, f), 16u);
  CAF_CHECK_EQUAL(end_of("{\"a\":1}\n{\"b\":2}\n", 16, f), 0u);
}

CAF_TEST(events are split one by one) {
  auto sse = events("data: a\n\ndata: b\r\n\r\ndata: c", framing::sse);
  CAF_REQUIRE_EQUAL(sse.size(), 2u);
  CAF_CHECK_EQUAL(sse[0], "data: a\n\n");
  CAF_CHECK_EQUAL(sse[1], "data: b\r\n\r\n");
  auto nd = events("{\"a\":1}\n{\"b\":2}\n{\"c\"", framing::ndjson);
  CAF_REQUIRE_EQUAL(nd.size(), 2u);
  CAF_CHECK_EQUAL(nd[1], "{\"b\":2}\n");
  CAF_CHECK(events("data: a\ndata: b\n", framing::sse).empty());
}

CAF_TEST(error events are framed for their clients) {
  CAF_CHECK_EQUAL(error_event(framing::ndjson, "cut \"short\""), "{\"error\":\"cut \\\"short\\\"\"}\n");
  auto sse = error_event(framing::sse, "cut");
  CAF_CHECK(sse.rfind("data: {", 0) == 0);
  CAF_CHECK(sse.find("\"message\":\"cut\"") != std::string::npos);
  CAF_CHECK(sse.ends_with("}\n\n"));
}

CAF_TEST(incremental and per event scans agree with a whole scan over any read split) {
  using namespace sb::testing;
  // "a\n\n\r\n3\n": a blank "\r\n" line right after an event's end. last_event_end saw a boundary
  // at 5 that next_event_end from 3 did not: a per-event consumer lost or repeated bytes.
  const std::vector<std::string> inputs = {
      "a\n\n\r\n3\n", "a\n\n\n", "\n\ndata: x\n\n", "data: a\r\n\r\ndata: b\n\n", "\r\n\r\n\r\n",
      "data: a\n\r\n\n", "x\r\n\n\r\n", "data: [DONE]\n\n", "a\nb\nc\n\n\r\n"};
  for (auto f : {framing::sse, framing::ndjson})
    for (auto& s : inputs) {
      auto whole = whole_scan(f, s);
      for (std::size_t a = 1; a <= s.size(); ++a)
        for (std::size_t b = 1; b <= 3; ++b) {
          std::vector<std::size_t> splits{a, b};
          CAF_CHECK_EQUAL(written(f, s, splits), complete_prefix(f, s));
          CAF_CHECK(pumped(f, s, splits) == whole);
        }
    }
}
