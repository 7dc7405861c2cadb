#pragma once
// An environment for tests: a fixed map instead of the process environment.
#include <map>
#include <optional>
#include <string>

#include "config/env_seed.hpp"

namespace sb::test {

inline env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace sb::test
