#include "http/auth/api_keys.hpp"

#include <sodium.h>

namespace sb {

std::string new_api_key() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return std::string("sk-") + hex;
}

std::string api_key_hash(std::string_view key) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string api_key_display(std::string_view key) {
  if (key.size() < 12) return "sk-...";
  return std::string(key.substr(0, 5)) + "..." + std::string(key.substr(key.size() - 4));
}

}  // namespace sb
