#define CAF_SUITE auth
#include <caf/test/unit_test.hpp>
#include <sodium.h>

#include "config/account_settings.hpp"
#include "http/auth/api_keys.hpp"
#include "http/auth/passwords.hpp"
#include "http/auth/session_token.hpp"
#include "http/auth/signin_throttle.hpp"

using namespace sb;

namespace {
struct sodium_ready {
  sodium_ready() { CAF_REQUIRE(sodium_init() >= 0); }
};
}  // namespace

CAF_TEST_FIXTURE_SCOPE(auth_tests, sodium_ready)

CAF_TEST(a token reads back only with its key and before it expires) {
  secret_string key("k1"), other("k2");
  auto t = issue_token({"user-1", {}, 2000, 7}, key);
  auto c = read_token(t, key, 1000);
  CAF_REQUIRE(c.has_value());
  CAF_CHECK_EQUAL(c->user_id, "user-1");
  CAF_CHECK_EQUAL(c->expires_at, 2000);
  CAF_CHECK_EQUAL(c->epoch, 7u);
  CAF_CHECK_EQUAL(c->token_id.size(), 32u);  // its jti: what a sign-out revokes
  CAF_CHECK(!read_token(t, other, 1000));
  CAF_CHECK(!read_token(t, key, 2000));                        // expired
  CAF_CHECK(read_token(issue_token({"u", {}, 0, 1}, key), key, 1 << 30));  // never expires
  auto tampered = t;
  tampered[tampered.find('.') + 2] ^= 1;  // the payload changed, the signature not
  CAF_CHECK(!read_token(tampered, key, 1000));
  CAF_CHECK(!read_token("a.b", key, 0));
  CAF_CHECK(!read_token("", key, 0));
  CAF_CHECK(issue_token({"u", {}, 0, 1}, key) != issue_token({"u", {}, 0, 1}, key));  // each has a jti
}

CAF_TEST(passwords hash with argon2id and check in constant form) {
  auto h = hash_password("hunter2");
  CAF_CHECK(h.starts_with("$argon2id$"));
  CAF_CHECK(password_matches(h, "hunter2"));
  CAF_CHECK(!password_matches(h, "hunter3"));
  CAF_CHECK(!password_matches("", "hunter2"));
  CAF_CHECK(hash_password("hunter2") != h);  // salted
}

CAF_TEST(api keys are made stored and shown apart) {
  auto k = new_api_key();
  CAF_CHECK(k.starts_with("sk-") && k.size() == 35 && is_api_key(k));
  CAF_CHECK(new_api_key() != k);
  CAF_CHECK_EQUAL(api_key_hash(k).size(), 64u);
  CAF_CHECK_EQUAL(api_key_hash(k), api_key_hash(k));
  auto shown = api_key_display(k);
  CAF_CHECK(shown.starts_with("sk-") && shown.ends_with(k.substr(31)) &&
            shown.find(k.substr(5, 20)) == std::string::npos);
}

CAF_TEST(failed sign ins are limited per account and per address) {
  signin_throttle t(3, 5, std::chrono::minutes(5));
  for (int i = 0; i < 3; ++i) {
    CAF_CHECK_EQUAL(t.wait_seconds("a@x.y", "1.1.1.1"), 0);
    t.failed("a@x.y", "1.1.1.1");
  }
  CAF_CHECK(t.wait_seconds("a@x.y", "2.2.2.2") > 0);  // the account, from anywhere
  CAF_CHECK_EQUAL(t.wait_seconds("b@x.y", "1.1.1.1"), 0);  // the address is under its own limit
  t.failed("b@x.y", "1.1.1.1");
  t.failed("c@x.y", "1.1.1.1");
  CAF_CHECK(t.wait_seconds("d@x.y", "1.1.1.1") > 0);  // the address, for any account
  t.succeeded("b@x.y");
  CAF_CHECK(t.wait_seconds("b@x.y", "3.3.3.3") == 0);
}

CAF_TEST(token lifetimes read as open webui writes them) {
  CAF_CHECK_EQUAL(parse_token_lifetime("4w")->count(), 4 * 604800);
  CAF_CHECK_EQUAL(parse_token_lifetime("1h30m")->count(), 5400);
  CAF_CHECK_EQUAL(parse_token_lifetime("-1")->count(), 0);
  CAF_CHECK_EQUAL(parse_token_lifetime("1.5d")->count(), 129600);
  CAF_CHECK(!parse_token_lifetime("soon"));
  CAF_CHECK(!parse_token_lifetime("10"));
  CAF_CHECK(!parse_token_lifetime("500ms"));  // under a second
}

CAF_TEST_FIXTURE_SCOPE_END()
