#include "http/api/query_string.hpp"

#include <boost/url/parse.hpp>

namespace sb {

std::string query_value(std::string_view target, std::string_view name) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return {};
  auto params = url->params();
  auto it = params.find(name);
  if (it == params.end() || !(*it).has_value) return {};
  return (*it).value;
}

}  // namespace sb
