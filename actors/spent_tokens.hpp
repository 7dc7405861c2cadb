#pragma once
// What each user, key and model has spent since a time, from one scan of the usage rows per
// start time asked (free models and connections not counted): where a budget starts.
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "messages/limit_types.hpp"
#include "storage/usage_store.hpp"

namespace sb {

class spent_since {
 public:
  spent_since(usage_store* usage, const std::vector<limit_rule>& rules);
  std::int64_t operator()(limit_scope scope, const std::string& id, std::int64_t since);

 private:
  using totals = std::array<std::map<std::string, std::int64_t>, 3>;  // users, keys, models
  totals& sums_for(std::int64_t since);
  usage_store* usage_;
  std::set<std::string> free_models_, free_connections_;
  std::map<std::int64_t, totals> cache_;
};

}  // namespace sb
