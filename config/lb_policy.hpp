#pragma once
// The load-balancing policies a model's requests can be spread by (LOAD_BALANCING_POLICY, and per
// model LOAD_BALANCING_POLICY_BY_MODEL). What each one does: http/balancing/pick.hpp.
#include <cstdint>
#include <optional>
#include <string_view>

namespace sb {

enum class lb_policy : std::uint8_t {
  random,
  round_robin,
  weighted,
  least_connections,
  ewma,
  p2c,
  priority,
  least_cost,
};

inline constexpr lb_policy all_lb_policies[] = {
    lb_policy::random, lb_policy::round_robin, lb_policy::weighted, lb_policy::least_connections,
    lb_policy::ewma,   lb_policy::p2c,         lb_policy::priority,       lb_policy::least_cost};

inline const char* to_string(lb_policy p) {
  switch (p) {
    case lb_policy::random: return "random";
    case lb_policy::round_robin: return "round_robin";
    case lb_policy::weighted: return "weighted";
    case lb_policy::least_connections: return "least_connections";
    case lb_policy::ewma: return "ewma";
    case lb_policy::p2c: return "p2c";
    case lb_policy::priority: return "priority";
    case lb_policy::least_cost: return "least_cost";
  }
  return "?";
}

inline std::optional<lb_policy> parse_lb_policy(std::string_view name) {
  for (auto p : all_lb_policies)
    if (name == to_string(p)) return p;
  return std::nullopt;
}

}  // namespace sb
