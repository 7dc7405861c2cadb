#pragma once
// Which hosts may be upstreams. A gateway that fetches URLs an admin (or a forged admin request)
// types in is a server-side request forgery tool unless it refuses the cloud metadata services:
// 169.254.169.254 hands out the machine's cloud credentials. So link-local addresses (IPv4
// 169.254.0.0/16, IPv6 fe80::/10, also written as decimal, hex, octal, short or ::ffff:-mapped
// forms, which the resolver accepts) and the metadata names and addresses are refused unless the
// admin opts in (ALLOW_LINK_LOCAL_UPSTREAMS). Loopback and private networks stay allowed: a local
// Ollama is the common case.
#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>

namespace sb {

/// Why `address` may not be an upstream, or empty when it may.
std::string forbidden_upstream_address(const boost::asio::ip::address& address);

/// Why the URL host `host` (a name, or an address in any form the resolver accepts; IPv6 without
/// brackets) may not be an upstream, or empty when it may. Names are checked again, after
/// resolution, by forbidden_upstream_address.
std::string forbidden_upstream_host(std::string_view host);

/// Why an upstream at URL host `host` is refused under the admin's setting, with the way to allow
/// it; empty when it is allowed. The one check config updates and start-up both make.
std::string refused_upstream_host(std::string_view host, bool allow_link_local);

}  // namespace sb
