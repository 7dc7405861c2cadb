#define CAF_SUITE upstream_url
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "http/upstream/upstream_endpoint.hpp"

using namespace sb;

namespace {

// How a URL must split, as curl, Python's urllib and browsers split it; `host` empty: refused.
struct spelling {
  const char* url;
  const char* host;
  const char* port;
  const char* path;
};

const std::vector<spelling> spellings = {
    {"http://127.0.0.1:8080/v1", "127.0.0.1", "8080", "/v1"},
    {"http://example.com", "example.com", "80", ""},
    {"https://example.com/v1/", "example.com", "443", "/v1"},
    {"http://[::1]:11434/", "::1", "11434", ""},
    {"http://h:/x", "h", "80", "/x"},  // an empty port is the scheme's
    {"http://u:p@host:81/v1", "host", "81", "/v1"},
    // Boost.URL 1.81 reads each of these as a host and a path that does not begin with '/':
    // host 127.0.0.1 and path ".example.com:57579/v1", where every other parser sees the host
    // 127.0.0.1.example.com on port 57579. Refused, never sent to the wrong host.
    {"http://127.0.0.1.example.com:57579/v1", "", "", ""},
    {"http://1.2.3.4x/v1", "", "", ""},
    {"http://a@b@c/", "", "", ""},
    {"http://h:80:90/", "", "", ""},
    {"http://h:99999/", "", "", ""},  // no such port
    {"http://h:0/", "", "", ""},
    {"http://h%2ex/", "", "", ""},  // a percent-encoded host names another host once decoded
    {"http://evil.com\\@good.com/", "", "", ""},
    {"http://good.com\\x/", "", "", ""},
    {"http:/good.com/", "", "", ""},
    {"http:///good.com/", "", "", ""},
    {"http://good.com#@evil.com/", "", "", ""},
    {"http://good.com?@evil.com/", "good.com", "80", ""},
    {" http://good.com/", "", "", ""},
    {"http://good.com /x", "", "", ""},
    {"http://go\tod.com/", "", "", ""},
    {"HTTP://h/v1", "h", "80", "/v1"},  // schemes are case-insensitive
    {"hTtPs://h/", "h", "443", ""},
    {"http://[v1.127.0.0.2]:81/v1", "", "", ""},  // IPvFuture: nothing to connect to
    {"http://h:0080/", "h", "80", ""},
};

}  // namespace

CAF_TEST(tricky spellings split as every other parser splits them or are refused) {
  for (auto& s : spellings) {
    std::string err;
    auto t = parse_upstream_url(s.url, err);
    CAF_MESSAGE("url " << s.url);
    if (*s.host == 0) {
      CAF_CHECK(!t.has_value());
      CAF_CHECK(!err.empty());
      continue;
    }
    CAF_REQUIRE(t.has_value());
    CAF_CHECK_EQUAL(t->host, s.host);
    CAF_CHECK_EQUAL(t->port, s.port);
    CAF_CHECK_EQUAL(t->base_path, s.path);
  }
}

CAF_TEST(a path glued to the host says what is wrong) {
  std::string err;
  CAF_CHECK(!parse_upstream_url("http://127.0.0.1.example.com:57579/v1", err));
  CAF_CHECK(err.find("'/'") != std::string::npos);
}

CAF_TEST(the host header carries the port as a number and only when the url had one) {
  auto host_header = [](const char* url) {
    std::string err;
    auto t = parse_upstream_url(url, err);
    return t ? t->host_header : "refused: " + err;
  };
  CAF_CHECK_EQUAL(host_header("http://h:0080/"), "h:80");
  CAF_CHECK_EQUAL(host_header("http://h:/"), "h");
  CAF_CHECK_EQUAL(host_header("http://[::1]:81/"), "[::1]:81");
  CAF_CHECK_EQUAL(host_header("https://h/"), "h");
}
