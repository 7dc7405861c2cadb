#include "http/server/json_parser.hpp"

namespace sb {

namespace {
constexpr std::size_t max_document = 64u << 20;
constexpr std::size_t keep_capacity = 1u << 20;
thread_local simdjson::ondemand::parser parser(max_document);
}  // namespace

simdjson::ondemand::parser& thread_json_parser() { return parser; }

void trim_thread_json_parser() {
  if (parser.capacity() > keep_capacity) parser = simdjson::ondemand::parser(max_document);
}

}  // namespace sb
