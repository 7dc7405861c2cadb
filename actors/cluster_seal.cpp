#include "actors/cluster_seal.hpp"

#include <sodium.h>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <vector>

#include "actors/cluster_trust.hpp"

namespace sb {

namespace {

std::array<unsigned char, 32> key_of(std::string_view secret, std::string_view direction,
                                     const handshake_facts& f) {
  auto hex = cluster_proof_of(secret, {direction, f.dialer_nonce, f.gate_nonce,
                                       f.dialer_caf_node, f.gate_caf_node});
  std::array<unsigned char, 32> key{};
  sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, nullptr, nullptr);
  return key;
}

void nonce_of(std::uint64_t counter, unsigned char (&nonce)[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES]) {
  std::fill(std::begin(nonce), std::end(nonce), 0);
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<unsigned char>(counter >> (8 * i));
}

}  // namespace

link_keys derive_link_keys(std::string_view secret, const handshake_facts& facts, bool dialer) {
  link_keys k;
  auto to_gate = key_of(secret, "seal dialer to gate", facts);
  auto to_dialer = key_of(secret, "seal gate to dialer", facts);
  k.out = dialer ? to_gate : to_dialer;
  k.in = dialer ? to_dialer : to_gate;
  sodium_memzero(to_gate.data(), to_gate.size());
  sodium_memzero(to_dialer.data(), to_dialer.size());
  k.set = true;
  return k;
}

cluster_sealed seal(link_keys& keys, caf::actor_system& sys, const cluster_content& c) {
  std::vector<char> plain;
  caf::binary_serializer sink{sys, plain};
  auto err = sink(const_cast<cluster_content&>(c));
  (void)err;  // writing into memory does not fail
  cluster_sealed out;
  out.counter = ++keys.sent;
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  nonce_of(out.counter, nonce);
  out.box.resize(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.box.data()), &len,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nullptr, 0, nullptr,
      nonce, keys.out.data());
  out.box.resize(len);
  return out;
}

bool unseal(link_keys& keys, caf::actor_system& sys, const cluster_sealed& s,
            cluster_content& out) {
  // Nothing a peer sends is near this size (a batch is 512 records at most); a box over it is
  // refused before it is decrypted.
  constexpr std::size_t max_box = std::size_t{256} << 20;
  if (!keys.set || s.counter <= keys.received ||
      s.box.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES || s.box.size() > max_box)
    return false;
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  nonce_of(s.counter, nonce);
  std::vector<char> plain(s.box.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
          reinterpret_cast<const unsigned char*>(s.box.data()), s.box.size(), nullptr, 0, nonce,
          keys.in.data()) != 0)
    return false;
  plain.resize(len);
  caf::binary_deserializer source{sys, plain};
  if (source(out)) return false;
  keys.received = s.counter;
  return true;
}

}  // namespace sb
