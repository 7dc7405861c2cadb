#pragma once
// A secret (API key, token) that cannot be printed or logged by accident: streaming or formatting
// it shows `***`; only `reveal()` gives the text, and the one place that builds an Authorization
// header (http/upstream_endpoint.cpp) and the config store call it.
#include <caf/meta/type_name.hpp>
#include <ostream>
#include <string>

namespace sb {

class secret_string {
 public:
  secret_string() = default;
  explicit secret_string(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  /// What an admin sees in GET /openai/config: enough to recognise a key, never enough to use it.
  std::string masked() const {
    if (value_.empty()) return {};
    if (value_.size() <= 8) return "****";
    return "****" + value_.substr(value_.size() - 4);
  }

  friend bool operator==(const secret_string&, const secret_string&) = default;
  friend std::ostream& operator<<(std::ostream& os, const secret_string&) { return os << "***"; }

  // Serialized in clear only for the config store and CAF peers, which must hold the real key.
  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, secret_string& x) {
    return f(caf::meta::type_name("secret_string"), x.value_);
  }

 private:
  std::string value_;
};

}  // namespace sb
