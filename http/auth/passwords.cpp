#include "http/auth/passwords.hpp"

#include <sodium.h>

namespace sb {

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return {};
  return out;
}

std::function<std::string()> hash_password_job(std::string password) {
  return [p = std::move(password)] { return hash_password(p); };
}

bool password_matches(const std::string& encoded, std::string_view password) {
  if (encoded.empty()) return false;
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

}  // namespace sb
