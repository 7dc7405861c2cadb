#pragma once
// Usage rows (messages/usage_types.hpp) as records of kind "usage" (storage/record_store.hpp), one
// per hour, node, user, API key, model and connection. The id starts with the hour, zero-padded,
// so a range of hours is a range of ids: a query scans only its hours and retention erases a
// prefix. Each node writes only its own rows, so rows never need merging. Blocking: the usage
// actor's alone.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "messages/usage_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

class usage_store {
 public:
  explicit usage_store(std::shared_ptr<record_store> records);

  /// Adds `rows` to the counts stored under their keys, in one durable batch.
  bool add(const std::vector<usage_row>& rows, std::string& error);

  /// Calls `f` with every stored row (every node's) of the hours [from_hour, to_hour).
  bool scan(std::int64_t from_hour, std::int64_t to_hour,
            const std::function<void(const usage_row&)>& f, std::string& error);

  /// Erases every row of the hours before `hour`.
  bool erase_before(std::int64_t hour, std::string& error);

  static constexpr std::string_view kind = "usage";

 private:
  std::shared_ptr<record_store> records_;
  // What this node's recent rows hold, so adding to one reads it from the database only once.
  std::unordered_map<std::string, usage_counts> written_;
  std::int64_t newest_hour_ = 0;
};

/// The stored forms (exposed for tests).
std::string usage_row_id(const usage_key& k, std::string_view node);
std::string encode_usage_row(const usage_row& r);
bool decode_usage_row(const record& r, usage_row& out);

}  // namespace sb
