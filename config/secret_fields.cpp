#include "config/secret_fields.hpp"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>

namespace sb {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_any(const std::string& s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return s.find(p) != std::string::npos; });
}

}  // namespace

bool secret_header_name(std::string_view name) {
  auto n = lower(name);
  return n == "cookie" || n == "set-cookie" ||
         contains_any(n, {"key", "token", "secret", "password", "auth", "credential", "signature",
                          "session"});
}

bool secret_query_param(std::string_view name) {
  auto n = lower(name);
  return n == "sig" || n == "code" ||
         contains_any(n, {"key", "token", "secret", "password", "auth", "credential", "signature"});
}

std::string mask_secret(std::string_view value) {
  if (value.empty()) return {};
  if (value.size() <= 8) return "****";
  return "****" + std::string(value.substr(value.size() - 4));
}

bool is_mask(std::string_view shown) { return shown.starts_with("****"); }

std::string mask_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return std::string(url);
  boost::urls::url u(*parsed);
  // A password is masked; a user alone may be the credential itself (https://TOKEN@host).
  // (https://TOKEN:@host has an empty password: the user is the credential there too.)
  if (u.has_password() && !u.password().empty())
    u.set_password(mask_secret(u.password()));
  else if (u.has_userinfo() && !u.user().empty())
    u.set_user(mask_secret(u.user()));
  if (u.has_query()) {
    auto params = u.params();
    for (auto it = params.begin(); it != params.end(); ++it) {
      auto p = *it;
      if (p.has_value && secret_query_param(p.key)) {
        p.value = mask_secret(p.value);
        it = params.replace(it, p);
      }
    }
  }
  return std::string(u.buffer());
}

bool url_has_mask(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;
  bool real_password = parsed->has_password() && !parsed->password().empty();
  if (real_password && is_mask(parsed->password())) return true;
  if (!real_password && parsed->has_userinfo() && is_mask(parsed->user())) return true;
  for (auto p : parsed->params())
    if (p.has_value && secret_query_param(p.key) && is_mask(p.value)) return true;
  return false;
}

std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> out;
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return out;
  if (parsed->has_userinfo()) {
    out.push_back(parsed->userinfo());
    out.emplace_back(parsed->encoded_userinfo());
    if (parsed->has_password() && !parsed->password().empty()) {
      out.push_back(parsed->password());
      out.emplace_back(parsed->encoded_password());
    } else {
      out.push_back(parsed->user());
    }
  }
  for (auto p : parsed->params())
    if (p.has_value && secret_query_param(p.key)) out.push_back(p.value);
  for (auto p : parsed->encoded_params())
    if (p.has_value && secret_query_param(p.key.decode())) out.emplace_back(p.value);
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  return out;
}

}  // namespace sb
