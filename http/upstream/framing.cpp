#include "http/upstream/framing.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cstring>

#include "http/server/errors.hpp"

namespace sb {

namespace {

bool has_type(std::string_view ct, std::string_view type) {
  // Media types are case-insensitive; parameters (";charset=...") follow the type.
  if (ct.size() < type.size()) return false;
  for (std::size_t i = 0; i < type.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(ct[i])) != type[i]) return false;
  return ct.size() == type.size() || ct[type.size()] == ';' || ct[type.size()] == ' ';
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

framing framing_of(std::string_view content_type, framing otherwise) {
  auto ct = trimmed(content_type);
  if (has_type(ct, "text/event-stream")) return framing::sse;
  if (has_type(ct, "application/x-ndjson") || has_type(ct, "application/ndjson") ||
      has_type(ct, "application/jsonl") || has_type(ct, "application/x-jsonlines") ||
      has_type(ct, "application/json-seq"))
    return framing::ndjson;
  if (ct.empty() || has_type(ct, "text/plain") || has_type(ct, "application/octet-stream"))
    return otherwise;
  return framing::whole;
}

std::size_t last_event_end(framing f, const char* buf, std::size_t from, std::size_t end) {
  if (f == framing::ndjson) {
    for (std::size_t i = end; i > from; --i)
      if (buf[i - 1] == '\n') return i;
    return 0;
  }
  for (std::size_t i = end; i > from && i >= 2; --i) {
    if (buf[i - 1] != '\n') continue;
    if (buf[i - 2] == '\n') return i;
    if (i >= 3 && buf[i - 2] == '\r' && buf[i - 3] == '\n') return i;
  }
  return 0;
}

std::size_t next_event_end(framing f, const char* buf, std::size_t begin, std::size_t end) {
  for (auto* p = static_cast<const char*>(std::memchr(buf + begin, '\n', end - begin)); p;
       p = static_cast<const char*>(std::memchr(p + 1, '\n', buf + end - (p + 1)))) {
    std::size_t i = p - buf + 1;
    if (f == framing::ndjson) return i;
    if (i - begin >= 2 && buf[i - 2] == '\n') return i;
    if (i - begin >= 3 && buf[i - 2] == '\r' && buf[i - 3] == '\n') return i;
  }
  return 0;
}

std::string error_event(framing f, std::string_view message, sse_dialect d,
                        std::uint64_t sequence) {
  if (f == framing::ndjson)
    return boost::json::serialize(boost::json::object{{"error", message}}) + "\n";
  if (d == sse_dialect::responses)
    return "event: error\ndata: " +
           boost::json::serialize(boost::json::object{{"type", "error"},
                                                      {"code", "upstream_error"},
                                                      {"message", message},
                                                      {"param", nullptr},
                                                      {"sequence_number", sequence},
                                                      // what openai-python raises on
                                                      {"error", boost::json::object{
                                                                    {"message", message},
                                                                    {"type", "upstream_error"},
                                                                    {"code", 502}}}}) +
           "\n\n";
  return "data: " + error_body("upstream_error", message, 502) + "\n\n";
}

}  // namespace sb
