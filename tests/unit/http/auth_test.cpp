#define CAF_SUITE auth
#include <caf/test/unit_test.hpp>
#include <sodium.h>

#include <boost/json.hpp>

#include "config/account_settings.hpp"
#include "config/user_permissions.hpp"
#include "http/auth/api_keys.hpp"
#include "http/auth/passwords.hpp"
#include "http/auth/permissions.hpp"
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

CAF_TEST(permissions are the defaults merged with every group the user is in) {
  accounts_snapshot a;
  a.default_permissions = R"({"features":{"api_keys":false,"notes":true},"limits":{"n":2}})";
  group_account g1, g2, other;
  g1.id = "g1";
  g1.member_ids = {"u"};
  g1.permissions_json = R"({"features":{"api_keys":true,"notes":false},"limits":{"n":5}})";
  g2.id = "g2";
  g2.member_ids = {"u"};
  g2.permissions_json = "null";  // a group without permissions changes nothing
  other.id = "g3";
  other.permissions_json = R"({"chat":{"edit":true}})";  // u is not in it
  a.groups = {{"g1", g1}, {"g2", g2}, {"g3", other}};
  auto p = permissions_of(a, "u");
  CAF_CHECK(p.at("features").at("api_keys").as_bool());  // true wins
  CAF_CHECK(p.at("features").at("notes").as_bool());     // a group cannot take one away
  CAF_CHECK_EQUAL(p.at("limits").at("n").to_number<int>(), 5);  // the larger number
  CAF_CHECK(!p.contains("chat"));
  user_account u;
  u.id = "v";
  CAF_CHECK(!permitted(a, u, "features", "api_keys"));
  u.role = account_role::admin;
  CAF_CHECK(permitted(a, u, "features", "api_keys"));
  std::string error;
  auto next = updated_permissions(R"({"features":{"api_keys":true}})", a.default_permissions, error);
  CAF_REQUIRE(next.has_value());
  CAF_CHECK(next->find(R"("notes":true)") != std::string::npos);  // laid over, not replaced
  CAF_CHECK(!updated_permissions(R"({"features":{"api_keys":"yes"}})", "{}", error));
  CAF_CHECK(!updated_permissions("[]", "{}", error));
  CAF_CHECK(!updated_permissions("{", "{}", error));
}

CAF_TEST(default permissions follow the user permissions variables) {
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "USER_PERMISSIONS_FEATURES_API_KEYS") return "True";
    return std::nullopt;
  };
  auto p = boost::json::parse(default_permissions_from_env(env)).as_object();
  CAF_CHECK(p.at("features").at("api_keys").as_bool());
  CAF_CHECK(!p.at("workspace").at("models").as_bool());  // Open WebUI's default
  CAF_CHECK(p.at("chat").at("edit").as_bool());
}

CAF_TEST_FIXTURE_SCOPE_END()
