#include "http/auth/session_token.hpp"

#include <sodium.h>

#include <boost/json.hpp>

namespace sb {

namespace json = boost::json;

namespace {

std::string base64url(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // its NUL
  return out;
}

std::string base64url(std::string_view s) {
  return base64url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::optional<std::string> from_base64url(std::string_view s) {
  std::string out(s.size(), '\0');
  std::size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                        s.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(n);
  return out;
}

void sign(std::string_view signed_part, const secret_string& key,
          unsigned char (&mac)[crypto_auth_hmacsha256_BYTES]) {
  crypto_auth_hmacsha256_state st;
  auto& k = key.reveal();
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(k.data()), k.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                signed_part.size());
  crypto_auth_hmacsha256_final(&st, mac);
}

}  // namespace

std::string issue_token(const token_claims& claims, const secret_string& key) {
  static const std::string header = base64url(R"({"alg":"HS256","typ":"JWT"})");
  unsigned char jti[16];
  randombytes_buf(jti, sizeof jti);
  char jti_hex[sizeof jti * 2 + 1];
  sodium_bin2hex(jti_hex, sizeof jti_hex, jti, sizeof jti);
  json::object payload{{"id", claims.user_id}, {"jti", jti_hex}, {"ep", claims.epoch}};
  if (claims.expires_at) payload["exp"] = claims.expires_at;
  auto signed_part = header + "." + base64url(json::serialize(payload));
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  sign(signed_part, key, mac);
  return signed_part + "." + base64url(mac, sizeof mac);
}

std::optional<token_claims> read_token(std::string_view token, const secret_string& key,
                                       std::int64_t now) {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.size() > 4096) return std::nullopt;
  auto given = from_base64url(token.substr(second + 1));
  if (!given || given->size() != crypto_auth_hmacsha256_BYTES) return std::nullopt;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  sign(token.substr(0, second), key, mac);
  if (crypto_verify_32(mac, reinterpret_cast<const unsigned char*>(given->data())) != 0)
    return std::nullopt;
  // Signed by us: the header can only be ours, so only the payload is read.
  auto payload = from_base64url(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(*payload, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto& o = v.as_object();
  auto* id = o.if_contains("id");
  if (!id || !id->is_string()) return std::nullopt;
  token_claims c{std::string(id->as_string()), {}, 0, 1};
  if (auto* exp = o.if_contains("exp"); exp && exp->is_number()) {
    c.expires_at = exp->to_number<std::int64_t>();
    if (c.expires_at <= now) return std::nullopt;
  }
  if (auto* ep = o.if_contains("ep"); ep && ep->is_number()) c.epoch = ep->to_number<std::uint64_t>();
  if (auto* jti = o.if_contains("jti"); jti && jti->is_string()) c.token_id = jti->as_string();
  if (c.token_id.empty()) return std::nullopt;  // every token of ours names itself
  return c;
}

}  // namespace sb
