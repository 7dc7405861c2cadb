#pragma once
// models_actor: owns the custom models.
//
//   /api/v1/models routes ──model(command)──> models_actor ──> RocksDB (sync)
//                         <──── model_reply ───┘    │
//                                                   └─ publishes snapshot_cell<models_snapshot>
//
// Whether an id is free, or there to change, is decided here, one change at a time. Who may
// change a model is the route's to decide (it reads the accounts and the model's grants).
// Runs detached (RocksDB blocks).
#include <memory>

#include "messages/protocols.hpp"
#include "messages/snapshot_cell.hpp"
#include "storage/model_store.hpp"

namespace sb {

struct models_state {
  std::shared_ptr<model_store> store;  // null: in memory only (tests)
  std::shared_ptr<const models_snapshot> current;
  snapshot_cell<models_snapshot>* published = nullptr;
  static inline const char* name = "models_actor";
};

models_actor::behavior_type models_actor_impl(models_actor::stateful_pointer<models_state> self,
                                              std::shared_ptr<model_store> store,
                                              models_snapshot initial,
                                              snapshot_cell<models_snapshot>* published);

}  // namespace sb
