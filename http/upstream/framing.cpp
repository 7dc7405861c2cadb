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

namespace {

// Whether buf[i - 1] (a '\n') ends an SSE event: it ends an empty line ("\n" or "\r\n" at the
// start of a line). `start` is a line start the caller knows of (where its buffer or its event
// begins, right after the previous event's last '\n'); bytes before it are not looked at. Both
// scans below share this one definition, so they agree on every boundary.
bool ends_sse_event(const char* buf, std::size_t start, std::size_t i) {
  auto line_start = [&](std::size_t at) { return at == start || buf[at - 1] == '\n'; };
  if (line_start(i - 1)) return true;
  return i - 1 > start && buf[i - 2] == '\r' && line_start(i - 2);
}

}  // namespace

std::size_t last_event_end(framing f, const char* buf, std::size_t from, std::size_t end) {
  for (std::size_t i = end; i > from; --i) {
    if (buf[i - 1] != '\n') continue;
    if (f == framing::ndjson || ends_sse_event(buf, 0, i)) return i;
  }
  return 0;
}

std::size_t next_event_end(framing f, const char* buf, std::size_t begin, std::size_t end) {
  for (auto* p = static_cast<const char*>(std::memchr(buf + begin, '\n', end - begin)); p;
       p = static_cast<const char*>(std::memchr(p + 1, '\n', buf + end - (p + 1)))) {
    std::size_t i = p - buf + 1;
    if (f == framing::ndjson || ends_sse_event(buf, begin, i)) return i;
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
