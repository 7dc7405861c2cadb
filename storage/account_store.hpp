#pragma once
// Accounts as keyed, versioned records (storage/record_store.hpp): kinds "user", "api_key",
// "group", "revoked_token", "setting" and "user_activity", one record each, deletions kept as tombstones. Blocking: the accounts actor's alone.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "messages/account_types.hpp"
#include "storage/record_store.hpp"

namespace sb {

class account_store {
 public:
  explicit account_store(std::shared_ptr<record_store> records);

  /// Every live account into `out` (users, keys, groups, the primary admin, revoked tokens:
  /// the accounts actor forgets those past their expiry). False and `error` on a record of the
  /// wrong shape.
  bool load(accounts_snapshot& out, std::string& error);

  /// One change, written durably and atomically: the objects to put and the ids to delete.
  struct change {
    std::vector<user_account> users{};
    std::vector<api_key_account> keys{};
    std::vector<group_account> groups{};
    std::vector<std::pair<std::string, std::string>> deleted{};    // kind, id
    std::vector<std::pair<std::string, revoked_token>> revoked{};  // token id, what it was
    std::optional<std::string> default_permissions{};
    // Users seen active: (user id, last_active_at). Kept as records of their own, so a node
    // noting activity never rewrites a user's role, password or epoch from a stale copy (in a
    // cluster that would undo an admin's change made on another node).
    std::vector<std::pair<std::string, std::int64_t>> activity{};
  };
  bool write(const change& c, std::string& error);

  static constexpr std::string_view user_kind = "user";
  static constexpr std::string_view key_kind = "api_key";
  static constexpr std::string_view group_kind = "group";
  static constexpr std::string_view revoked_kind = "revoked_token";
  static constexpr std::string_view setting_kind = "setting";
  static constexpr std::string_view activity_kind = "user_activity";  // ids: user ids  // ids: "default_permissions"

 private:
  std::shared_ptr<record_store> records_;
};

/// Whether a record of one of the account kinds reads as its kind (a peer's, before it is
/// merged).
bool account_record_reads(const record& r);

/// The stored forms (exposed for tests).
std::string encode_user(const user_account& u);
bool decode_user(const record& r, user_account& u);

}  // namespace sb
