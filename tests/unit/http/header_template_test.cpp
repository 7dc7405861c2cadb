#define CAF_SUITE header_template
#include "http/upstream/header_template.hpp"

#include <caf/test/unit_test.hpp>
#include <string>

using namespace sb;

namespace {
std::string rendered(const header_template& t, const caller_identity* who) {
  std::string out;
  t.render(out, who);
  return out;
}
}  // namespace

CAF_TEST(headers without placeholders are one piece of text) {
  header_template t({{"X-A", "1"}, {"X-B", "two {{NOT_ONE}}"}});
  CAF_CHECK(!t.per_request());
  CAF_CHECK_EQUAL(rendered(t, nullptr), "X-A: 1\r\nX-B: two {{NOT_ONE}}\r\n");
}

CAF_TEST(placeholders are filled from the caller) {
  header_template t({{"X-U", "{{USER_ID}}/{{USER_ROLE}}"},
                     {"X-C", "c={{CHAT_ID}};m={{MESSAGE_ID}};{{CHAT_ID}}"},
                     {"X-E", "{{USER_EMAIL}}"}});
  CAF_CHECK(t.per_request());
  caller_identity who;
  who.user_id = "u1";
  who.user_role = "admin";
  who.chat_id = "c9";
  who.message_id = "m3";
  who.user_email = "a@b.c";
  CAF_CHECK_EQUAL(rendered(t, &who), "X-U: u1/admin\r\nX-C: c=c9;m=m3;c9\r\nX-E: a@b.c\r\n");
  // Nobody known: the placeholders are empty, the headers still sent.
  CAF_CHECK_EQUAL(rendered(t, nullptr), "X-U: /\r\nX-C: c=;m=;\r\nX-E: \r\n");
}

CAF_TEST(filled values never break the header line) {
  header_template t({{"X-N", "{{USER_NAME}}"}, {"X-C", "{{CHAT_ID}}"}});
  caller_identity who;
  who.user_name = "Zoë O'Brien\r\nX-Evil: 1";
  who.chat_id = "c\r\nX-Evil: 2\x01";
  CAF_CHECK_EQUAL(rendered(t, &who),
                  "X-N: Zo%C3%AB O%27Brien%0D%0AX-Evil%3A 1\r\nX-C: cX-Evil: 2\r\n");
}

CAF_TEST(quoting keeps what Python quote keeps with spaces safe) {
  CAF_CHECK_EQUAL(quote_header_value("Ada Lovelace_1.0-~"), "Ada Lovelace_1.0-~");
  CAF_CHECK_EQUAL(quote_header_value("a/b%c"), "a%2Fb%25c");
  CAF_CHECK_EQUAL(strip_control_bytes(std::string("a\0b\x7f" "c\td", 7)), "abcd");
}
