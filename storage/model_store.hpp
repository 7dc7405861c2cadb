#pragma once
// Custom models as keyed, versioned records (storage/record_store.hpp), kind "model", one
// record each, deletions kept as tombstones. Blocking: the models actor's alone.
#include <memory>
#include <string>

#include "messages/custom_model_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

class model_store {
 public:
  explicit model_store(std::shared_ptr<record_store> records);

  /// Every stored model into `out`; false and `error` on a record of the wrong shape.
  bool load(models_snapshot& out, std::string& error);

  /// Writes `m` durably; `remove` writes a tombstone for `id`.
  bool put(const custom_model& m, std::string& error);
  bool remove(const std::string& id, std::string& error);

  static constexpr std::string_view kind = "model";

 private:
  std::shared_ptr<record_store> records_;
};

/// Reads Open WebUI's access_control JSON (null, {}, or read/write lists); false when it is
/// not of that shape.
bool read_access_control(std::string_view json, model_access_control& out);

/// The stored form (exposed for tests).
std::string encode_model(const custom_model& m);
bool decode_model(const record& r, custom_model& m);

}  // namespace sb
