#include "config/cluster_settings.hpp"

#include <charconv>
#include <cstdlib>
#include <unistd.h>

namespace sb {

namespace {

bool read_port(std::string_view text, std::uint16_t& out) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v == 0 || v > 65535) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

// "host:port" (a bracketed IPv6 address too), comma-separated.
std::string read_peers(std::string_view text, std::vector<settings::cluster_peer>& out) {
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto colon = item.rfind(':');
    settings::cluster_peer p;
    if (colon == std::string_view::npos || colon == 0 || !read_port(item.substr(colon + 1), p.port))
      return "invalid CLUSTER_PEERS entry '" + std::string(item) + "': expected host:port";
    auto host = item.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    p.host = std::string(host);
    out.push_back(std::move(p));
  }
  return {};
}


}  // namespace

bool valid_cluster_node_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

std::string read_cluster_settings(const env_lookup& env, settings::cluster_settings& out) {
  if (auto v = env("CLUSTER_PORT"); v && !v->empty() && !read_port(*v, out.port))
    return "invalid CLUSTER_PORT '" + *v + "': expected a port, 1-65535";
  if (auto v = env("CLUSTER_HOST"); v && !v->empty()) out.host = *v;
  if (auto v = env("CLUSTER_PEERS"); v && !v->empty())
    if (auto why = read_peers(*v, out.peers); !why.empty()) return why;
  if (auto v = env("CLUSTER_NODE_ID"); v && !v->empty()) {
    if (!valid_cluster_node_id(*v))
      return "invalid CLUSTER_NODE_ID '" + *v + "': expected 1-64 letters, digits, '-', '_', '.'";
    out.node_id = *v;
  }
  if (auto v = env("CLUSTER_WRITE_QUORUM"); v && !v->empty()) {
    if (*v != "one" && *v != "majority")
      return "invalid CLUSTER_WRITE_QUORUM '" + *v + "': expected one or majority";
    out.majority = *v == "majority";
  }
  if (auto v = env("CLUSTER_QUORUM_TIMEOUT"); v && !v->empty()) {
    char* end = nullptr;
    double seconds = std::strtod(v->c_str(), &end);
    if (end != v->c_str() + v->size() || !(seconds >= 0.05 && seconds <= 600))
      return "invalid CLUSTER_QUORUM_TIMEOUT '" + *v + "': expected seconds, 0.05-600";
    out.quorum_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  }
  for (auto [name, dst] : {std::pair{"CLUSTER_TLS_CERT", &out.tls_cert},
                           std::pair{"CLUSTER_TLS_KEY", &out.tls_key},
                           std::pair{"CLUSTER_TLS_CA", &out.tls_ca}})
    if (auto v = env(name); v && !v->empty()) {
      if (::access(v->c_str(), R_OK) != 0)
        return std::string(name) + " '" + *v + "' cannot be read";
      *dst = *v;
    }
  bool some_tls = !out.tls_cert.empty() || !out.tls_key.empty() || !out.tls_ca.empty();
  if (some_tls && (out.tls_cert.empty() || out.tls_key.empty() || out.tls_ca.empty()))
    return "CLUSTER_TLS_CERT, CLUSTER_TLS_KEY and CLUSTER_TLS_CA go together: set all three";
  out.enabled = out.port != 0 || !out.peers.empty();
  if (auto v = env("CLUSTER_SECRET"); v) out.secret = secret_string(*v);
  if (out.enabled && out.secret.reveal().size() < 16)
    return "CLUSTER_SECRET must be set, at least 16 characters, the same on every node, when "
           "CLUSTER_PORT or CLUSTER_PEERS is";
  return {};
}

}  // namespace sb
