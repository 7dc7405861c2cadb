#pragma once
// Numbers from JSON that someone else wrote (a client, an upstream), read and written again
// without surprises: Boost.JSON's to_number throws when a value does not fit exactly (1.5 as an
// integer, 2^63 as a double), a double cast to an integer out of range is undefined behaviour,
// and an overflowing literal comes back out as `Infinity`.
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <optional>

namespace sb {

/// The value as a double: any JSON number (an int64 or uint64 rounded to the nearest double).
inline std::optional<double> json_double(const boost::json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

/// The value as an int64 when it is a finite number within range (fractions rounded).
inline std::optional<std::int64_t> json_int64(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  auto d = json_double(v);
  if (!d || !std::isfinite(*d) || *d < -9.2e18 || *d > 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(*d));
}

/// Replaces every number that is not finite with null. Boost.JSON (1.81) parses an overflowing
/// literal (1e400) as infinity and serializes it as `Infinity`, which is not JSON: whatever
/// the gateway parses from a client or an upstream and writes again goes through here first.
inline void null_non_finite(boost::json::value& v) {
  if (v.is_double()) {
    if (!std::isfinite(v.get_double())) v = nullptr;
  } else if (v.is_array()) {
    for (auto& x : v.as_array()) null_non_finite(x);
  } else if (v.is_object()) {
    for (auto& member : v.as_object()) null_non_finite(member.value());
  }
}

/// A count (tokens): a non-negative int64, 0 when absent or not one.
inline std::int64_t json_count(const boost::json::value* v) {
  auto n = v ? json_int64(*v) : std::nullopt;
  return n && *n > 0 ? *n : 0;
}

}  // namespace sb
