#pragma once
// A transparent string hash: maps keyed by std::string found by std::string_view, with no
// string made for the lookup (C++20 heterogeneous lookup, with std::equal_to<>).
#include <functional>
#include <string_view>

namespace sb {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace sb
