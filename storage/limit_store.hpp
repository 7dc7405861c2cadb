#pragma once
// Limit rules as keyed, versioned records (storage/record_store.hpp), kind "limit", id
// "<scope>/<id>", deletions kept as tombstones. Blocking: the limits actor's alone.
#include <memory>
#include <string>
#include <vector>

#include "messages/limit_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

class limit_store {
 public:
  explicit limit_store(std::shared_ptr<record_store> records);

  /// Every stored rule into `out`; false and `error` on a record of the wrong shape.
  bool load(std::vector<limit_rule>& out, std::string& error);
  bool put(const limit_rule& r, std::string& error);
  bool remove(limit_scope scope, const std::string& id, std::string& error);

  static constexpr std::string_view kind = "limit";

 private:
  std::shared_ptr<record_store> records_;
};

/// The stored form (exposed for tests).
std::string limit_record_id(limit_scope scope, std::string_view id);
bool decode_limit_rule(const record& r, limit_rule& out);

}  // namespace sb
