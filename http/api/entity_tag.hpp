#pragma once
// Entity tags for versioned admin resources (RFC 9110 §8.8.3, §13.1.1): a version is shown as the
// strong tag "<version>" (ETag), and an edit names the versions it was made from (If-Match), so
// two admins editing at once cannot overwrite each other blindly.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

/// `"<version>"`.
std::string entity_tag(std::uint64_t version);

/// The versions an If-Match field value names: nothing for "*" or an absent field (any version
/// will do); otherwise every strong tag of ours in the list. A value that names none of ours
/// (weak tags, garbage) gives {0}, which no version matches: the edit is refused, not applied.
std::vector<std::uint64_t> if_match_versions(std::optional<std::string_view> field);

}  // namespace sb
