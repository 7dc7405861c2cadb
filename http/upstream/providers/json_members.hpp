#pragma once
// The top-level members of a JSON object body, located without building a document, so that an
// adapter can drop members by splicing bytes out and leave every other byte as the client sent it.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

struct json_member {
  std::string name;       // unescaped
  std::size_t begin = 0;  // the opening quote of its key
};

/// The members of the object `body` holds, in order; nothing when it is not one JSON object.
/// (`body`'s capacity may grow for the parser's padding.)
std::optional<std::vector<json_member>> top_level_members(std::string& body);

/// Removes the members `drop` names, commas included. False (body unchanged) when `body` is not
/// one JSON object.
bool remove_top_level_members(std::string& body,
                              const std::function<bool(std::string_view name)>& drop);

}  // namespace sb
