#pragma once
// Stable connection ids. Open WebUI names a connection by its position in *_BASE_URLS (urlIdx),
// which shifts when another is deleted or the list reordered; endpoints, pools, health, metrics
// and catalogs key on an id that does not. The id of each connection of a new list is decided
// here, against the list it replaces:
//   1. the id its config entry names ("connection_id", as GET .../config shows it), when that is a
//      connection of the old list not claimed by an earlier entry;
//   2. else the id of an unclaimed old connection at the same URL (one with the same key first);
//   3. else the id of the unclaimed old connection at the same position;
//   4. else a new id.
// "connection_id" is then removed from the stored config entries: `ids` is the one place it lives.
#include <functional>
#include <string>

#include "messages/config_types.hpp"

namespace sb {

/// The config entry key under which views show a connection's id and forms may name it.
inline constexpr std::string_view connection_id_field = "connection_id";

/// Sets `next.ids` (one per URL) as described above. `new_id` makes a fresh id.
void assign_connection_ids(provider_config& next, const provider_config& before,
                           const std::function<std::string()>& new_id);

}  // namespace sb
