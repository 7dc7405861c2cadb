#pragma once
// A header's value by a scan of the message's fields that compares their enum names. Beast's
// operator[](field) finds the name through its ordered set with case-insensitive string
// compares: several hundred instructions a call, measured on the request path (bench/HISTORY.md),
// where a message has a handful of fields.
#include <boost/beast/http/field.hpp>
#include <string_view>

namespace sb {

/// The value of the first field called `name`, or empty.
template <class Fields>
std::string_view field_value(const Fields& fields, boost::beast::http::field name) {
  for (auto& f : fields)
    if (f.name() == name) return f.value();
  return {};
}

}  // namespace sb
