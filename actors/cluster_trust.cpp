#include "actors/cluster_trust.hpp"

#include <sodium.h>

namespace sb {

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

// Each field with its length first, so no two inputs read the same.
void absorb(crypto_auth_hmacsha256_state& st, std::string_view field) {
  unsigned char len[8];
  std::uint64_t n = field.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  crypto_auth_hmacsha256_update(&st, len, sizeof len);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(field.data()),
                                field.size());
}

}  // namespace

std::string cluster_nonce() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return to_hex(bytes, sizeof bytes);
}

std::string cluster_proof_of(std::string_view secret, const proof_input& in) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  absorb(st, "switchboard-cluster-1");
  for (auto field : {in.role, in.own_nonce, in.their_nonce, in.own_caf_node, in.their_caf_node})
    absorb(st, field);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(&st, sizeof st);
  return to_hex(mac, sizeof mac);
}

bool cluster_proof_matches(const std::string& expected, const std::string& got) {
  return expected.size() == got.size() &&
         sodium_memcmp(expected.data(), got.data(), expected.size()) == 0;
}

}  // namespace sb
