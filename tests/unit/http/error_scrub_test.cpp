#define CAF_SUITE error_scrub
#include "http/upstream/error_scrub.hpp"

#include <caf/test/unit_test.hpp>

using namespace sb;

CAF_TEST(own secrets and credential shapes become masks) {
  std::vector<std::string> own = {"sk-live-ownkey-1234567", "hdr-secret-value"};
  auto out = scrub_upstream_text(
      "bad key sk-live-ownkey-1234567 (live-ownkey-1234567), header hdr-secret-value, "
      "Authorization: Bearer abc.def-ghi, basic dXNlcjpwYXNz, sk-proj-AAAAbbbbCCCC, "
      "url https://h/p?api_key=zzz&x=1 token=t0k3n",
      own);
  for (auto* leaked : {"ownkey", "hdr-secret", "abc.def", "dXNlcjpwYXNz", "AAAAbbbb", "zzz", "t0k3n"})
    CAF_CHECK_EQUAL(out.find(leaked), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.find("Bearer ****"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.find("x=1"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.find("bad key"), std::string::npos);
}

CAF_TEST(long text is capped and a secret across the cut is still removed) {
  std::string secret = "sk-" + std::string(40, 'Q');
  std::string text(2040, 'a');
  text += " " + secret + std::string(10000, 'b');
  auto out = scrub_upstream_text(text, {secret});
  CAF_CHECK(out.size() <= max_upstream_error_text + 3);
  CAF_CHECK_EQUAL(out.find("QQQQ"), std::string::npos);
  CAF_CHECK(out.ends_with("..."));
  CAF_CHECK_EQUAL(scrub_upstream_text("short and clean", {}), "short and clean");
}

CAF_TEST(a cut never splits a utf8 character) {
  std::string text(2047, 'a');
  text += "\xc3\xa9\xc3\xa9";  // é é straddling the cap
  auto out = scrub_upstream_text(text, {});
  CAF_CHECK_EQUAL(out.substr(out.size() - 4), "a...");
}
