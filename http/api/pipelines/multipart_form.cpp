#include "http/api/pipelines/multipart_form.hpp"

#include <boost/beast/core/string.hpp>
#include <random>

namespace sb {

namespace {

constexpr std::size_t max_parts = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `key` in a header value's `; key=value` list (quoted or not).
std::optional<std::string> parameter(std::string_view value, std::string_view key) {
  while (!value.empty()) {
    auto semi = value.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    value.remove_prefix(semi + 1);
    auto item = trim(value.substr(0, value.find(';')));
    auto eq = item.find('=');
    if (eq == std::string_view::npos || !boost::beast::iequals(trim(item.substr(0, eq)), key))
      continue;
    auto v = trim(item.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"') {
      // A quoted string may hold ';': read to its closing quote in the whole rest.
      auto start = value.find('"');
      auto end = value.find('"', start + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(value.substr(start + 1, end - start - 1));
    }
    return std::string(v);
  }
  return std::nullopt;
}

// One part: its header lines, a blank line, its content.
std::optional<form_part> read_part(std::string_view part) {
  auto head_end = part.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  form_part p;
  auto head = part.substr(0, head_end);
  p.content = part.substr(head_end + 4);
  bool disposed = false;
  while (!head.empty()) {
    auto eol = head.find("\r\n");
    auto line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto field = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (boost::beast::iequals(field, "content-disposition")) {
      if (!boost::beast::iequals(trim(value.substr(0, value.find(';'))), "form-data"))
        return std::nullopt;
      auto name = parameter(value, "name");
      if (!name) return std::nullopt;
      p.name = std::move(*name);
      p.filename = parameter(value, "filename");
      disposed = true;
    } else if (boost::beast::iequals(field, "content-type")) {
      p.content_type = std::string(value);
    }
  }
  if (!disposed) return std::nullopt;
  return p;
}

}  // namespace

std::string form_boundary(std::string_view content_type) {
  auto type = trim(content_type.substr(0, content_type.find(';')));
  if (!boost::beast::iequals(type, "multipart/form-data")) return {};
  auto b = parameter(content_type, "boundary");
  // RFC 2046: 1 to 70 characters.
  if (!b || b->empty() || b->size() > 70) return {};
  return *b;
}

std::optional<std::vector<form_part>> read_form(std::string_view body, std::string_view boundary) {
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter starts the body or follows a preamble's CRLF.
  auto at = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (at == std::string_view::npos) return std::nullopt;
  if (at != 0) at += 2;
  std::vector<form_part> parts;
  const std::string next = "\r\n" + delimiter;
  for (;;) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n" || parts.size() == max_parts) return std::nullopt;
    at += 2;
    auto end = body.find(next, at);
    if (end == std::string_view::npos) return std::nullopt;
    auto part = read_part(body.substr(at, end - at));
    if (!part) return std::nullopt;
    parts.push_back(std::move(*part));
    at = end + 2;
  }
}

std::string one_file_form(std::string_view name, std::string_view filename,
                          std::string_view content, std::string& boundary) {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) | rd());
  do boundary = "switchboard-" + std::to_string(gen());
  while (content.find(boundary) != std::string_view::npos);
  std::string out;
  out.reserve(content.size() + 256);
  out += "--" + boundary + "\r\n";
  out += "Content-Disposition: form-data; name=\"" + std::string(name) + "\"; filename=\"" +
         std::string(filename) + "\"\r\n";
  out += "Content-Type: application/octet-stream\r\n\r\n";
  out += content;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace sb
