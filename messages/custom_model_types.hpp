#pragma once
// Custom models as Open WebUI's workspace keeps them: an entry stored here that either describes
// a base model (base_model_id empty: its name, meta and who may use it) or is a preset on one
// (params, a system prompt, its own access). The models actor owns them
// (actors/models_actor.hpp) and publishes a models_snapshot the I/O threads read.
#include <caf/allowed_unsafe_message_type.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "messages/string_hash.hpp"

namespace sb {

/// Who a grant names.
struct access_list {
  std::vector<std::string> user_ids;
  std::vector<std::string> group_ids;
};

/// Open WebUI's access_control: null (every user may read, only the owner writes), {} (the
/// owner alone), or `read` and `write` lists.
struct model_access_control {
  bool open = true;  // null
  access_list read{};
  access_list write{};
};

struct custom_model {
  std::string id{};
  std::string user_id{};        // the owner (who made it)
  std::string base_model_id{};  // empty: it describes the base model `id` itself
  std::string name{};
  std::string meta_json = "{}";    // description, profile image, capabilities, any other keys
  std::string params_json = "{}";  // any keys, `system` among them
  std::string access_json = "null";  // as the client wrote it
  model_access_control access{};     // the same, read
  bool is_active = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

using custom_model_pointer = std::shared_ptr<const custom_model>;

/// What the I/O threads read (immutable once published).
struct models_snapshot {
  std::uint64_t generation = 0;
  std::unordered_map<std::string, custom_model_pointer, string_hash, std::equal_to<>> by_id;

  const custom_model* find(std::string_view id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second.get();
  }
};

// What the model routes ask the models actor to change. Who may is decided by the route (it
// reads accounts and grants); whether the id is free or there is the actor's to decide.
struct create_model {
  custom_model model;  // created_at, updated_at set by the actor
};
struct update_model {
  custom_model model;  // replaces the stored one; its owner and created_at are kept
};
struct toggle_model {
  std::string id;
};
struct delete_model {
  std::string id;
};

using model_command = std::variant<create_model, update_model, toggle_model, delete_model>;

enum class model_status : std::uint8_t { done, id_taken, not_found, failed };

struct model_reply {
  model_status status = model_status::failed;
  std::string error;
  custom_model_pointer model;  // as stored now (null after a deletion)
};

}  // namespace sb

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::model_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::model_reply)
