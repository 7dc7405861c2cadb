#include "actors/models_actor.hpp"

#include <spdlog/spdlog.h>

#include <caf/all.hpp>
#include <chrono>

namespace sb {

namespace {

using models_pointer = models_actor::stateful_pointer<models_state>;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

model_reply refuse(model_status status) { return {status, {}, nullptr}; }

// Stores `m` (null: deletes `id`) durably, then makes the change what everyone reads.
model_reply commit(models_pointer self, const std::string& id, custom_model_pointer m) {
  auto& st = self->state;
  std::string error;
  bool stored = !st.store || (m ? st.store->put(*m, error) : st.store->remove(id, error));
  if (!stored) {
    spdlog::error("models_actor: {}", error);
    return {model_status::failed, "could not store the change: " + error, nullptr};
  }
  auto next = std::make_shared<models_snapshot>(*st.current);
  next->generation = st.current->generation + 1;
  if (m) next->by_id[id] = m;
  else next->by_id.erase(id);
  st.current = std::move(next);
  if (st.published) st.published->publish(st.current);
  return {model_status::done, {}, std::move(m)};
}

model_reply on(models_pointer self, create_model& cmd) {
  if (self->state.current->find(cmd.model.id)) return refuse(model_status::id_taken);
  cmd.model.created_at = cmd.model.updated_at = now_s();
  auto id = cmd.model.id;
  return commit(self, id, std::make_shared<const custom_model>(std::move(cmd.model)));
}

model_reply on(models_pointer self, update_model& cmd) {
  auto* old = self->state.current->find(cmd.model.id);
  if (!old) return refuse(model_status::not_found);
  cmd.model.user_id = old->user_id;
  cmd.model.created_at = old->created_at;
  cmd.model.updated_at = now_s();
  auto id = cmd.model.id;
  return commit(self, id, std::make_shared<const custom_model>(std::move(cmd.model)));
}

model_reply on(models_pointer self, toggle_model& cmd) {
  auto* old = self->state.current->find(cmd.id);
  if (!old) return refuse(model_status::not_found);
  auto m = *old;
  m.is_active = !m.is_active;
  m.updated_at = now_s();
  return commit(self, cmd.id, std::make_shared<const custom_model>(std::move(m)));
}

model_reply on(models_pointer self, delete_model& cmd) {
  if (!self->state.current->find(cmd.id)) return refuse(model_status::not_found);
  return commit(self, cmd.id, nullptr);
}

// A peer's change was merged into the store: the models are what it holds now.
void reload(models_pointer self) {
  auto& st = self->state;
  if (!st.store) return;
  auto next = std::make_shared<models_snapshot>();
  std::string error;
  if (!st.store->load(*next, error)) {
    spdlog::error("models_actor: cannot reload what a peer sent: {}", error);
    return;
  }
  next->generation = st.current->generation + 1;
  st.current = std::move(next);
  if (st.published) st.published->publish(st.current);
}

}  // namespace

models_actor::behavior_type models_actor_impl(models_actor::stateful_pointer<models_state> self,
                                              std::shared_ptr<model_store> store,
                                              models_snapshot initial,
                                              snapshot_cell<models_snapshot>* published) {
  self->state.store = std::move(store);
  self->state.current = std::make_shared<const models_snapshot>(std::move(initial));
  self->state.published = published;
  if (published) published->publish(self->state.current);
  return {
      [self](model_atom, model_command& cmd) -> model_reply {
        return std::visit([self](auto& c) { return on(self, c); }, cmd);
      },
      [self](merged_atom) { reload(self); },
  };
}

}  // namespace sb
