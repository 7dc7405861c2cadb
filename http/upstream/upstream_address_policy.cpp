#include "http/upstream/upstream_address_policy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sb {

namespace ip = boost::asio::ip;

namespace {

std::string forbidden_v4(const ip::address_v4& a) {
  auto b = a.to_bytes();
  if (b[0] == 169 && b[1] == 254)
    return "link-local address " + a.to_string() + " (the cloud metadata service lives there)";
  // Alibaba's metadata, Azure's WireServer, Oracle's legacy metadata.
  for (auto* m : {"100.100.100.200", "168.63.129.16", "192.0.0.192"})
    if (a == ip::make_address_v4(m)) return "cloud metadata address " + a.to_string();
  return {};
}

}  // namespace

std::string forbidden_upstream_address(const ip::address& address) {
  if (address.is_v4()) return forbidden_v4(address.to_v4());
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return forbidden_v4(ip::make_address_v4(ip::v4_mapped, v6));
  auto b = v6.to_bytes();
  // IPv4-compatible (deprecated ::a.b.c.d) forms reach the same IPv4 host on some stacks.
  if (std::all_of(b.begin(), b.begin() + 12, [](unsigned char c) { return c == 0; }) &&
      !v6.is_loopback() && !v6.is_unspecified())
    return forbidden_v4(ip::address_v4({b[12], b[13], b[14], b[15]}));
  // IPv6 forms that carry an IPv4 address to the same host: NAT64 (64:ff9b::/96), SIIT
  // (::ffff:0:a.b.c.d), 6to4 (2002:AABB:CCDD::/48).
  auto embedded = [&](std::size_t at) {
    return forbidden_v4(ip::address_v4({b[at], b[at + 1], b[at + 2], b[at + 3]}));
  };
  static constexpr unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  static constexpr unsigned char siit[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
  if (std::equal(b.begin(), b.begin() + 12, nat64) || std::equal(b.begin(), b.begin() + 12, siit))
    if (auto r = embedded(12); !r.empty()) return r;
  if (b[0] == 0x20 && b[1] == 0x02)
    if (auto r = embedded(2); !r.empty()) return r;
  if (v6.is_link_local()) return "link-local address " + v6.to_string();
  if (v6 == ip::make_address_v6("fd00:ec2::254")) return "cloud metadata address " + v6.to_string();
  return {};
}

std::string forbidden_upstream_host(std::string_view host) {
  std::string h(host);
  for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!h.empty() && h.back() == '.') h.pop_back();  // "metadata.google.internal."
  static constexpr std::array<std::string_view, 5> metadata_names = {
      "metadata.google.internal", "metadata.goog", "metadata", "instance-data",
      "instance-data.ec2.internal"};
  for (auto n : metadata_names)
    if (h == n) return "cloud metadata host " + h;
  // inet_aton reads every IPv4 spelling getaddrinfo does: 2852039166, 0xa9fea9fe, 0251.0376...,
  // 169.254.43518. Boost.URL treats those as names, the resolver as addresses.
  in_addr v4{};
  if (::inet_aton(h.c_str(), &v4) == 1) {
    ip::address_v4 a(ntohl(v4.s_addr));
    return forbidden_v4(a);
  }
  boost::system::error_code ec;
  auto a = ip::make_address(h, ec);
  if (!ec) return forbidden_upstream_address(a);
  return {};
}

std::string refused_upstream_host(std::string_view host, bool allow_link_local) {
  if (allow_link_local) return {};
  auto why = forbidden_upstream_host(host);
  return why.empty() ? why : why + " refused (set ALLOW_LINK_LOCAL_UPSTREAMS=true to allow it)";
}

}  // namespace sb
