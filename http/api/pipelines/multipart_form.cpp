#include "http/api/pipelines/multipart_form.hpp"

#include <boost/beast/core/string.hpp>
#include <cctype>
#include <random>
#include <utility>

namespace sb {

namespace {

constexpr std::size_t max_parts = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

using parameters = std::vector<std::pair<std::string, std::string>>;

// The `; key=value` parameters after a header value's first item (RFC 9110 §5.6.6: a value is a
// token or a quoted string, whose `\` escapes the next character), or nothing when they are not
// well formed.
std::optional<parameters> read_parameters(std::string_view v) {
  parameters out;
  std::size_t i = v.find(';');
  while (i != std::string_view::npos && i < v.size()) {
    ++i;  // past ';'
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    if (i == v.size()) break;  // a trailing ';'
    auto eq = v.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string key(trim(v.substr(i, eq - i)));
    if (key.empty() || key.find_first_of(";\" ") != std::string::npos) return std::nullopt;
    i = eq + 1;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      for (++i;; ++i) {
        if (i >= v.size()) return std::nullopt;  // no closing quote
        if (v[i] == '"') break;
        if (v[i] == '\\' && ++i >= v.size()) return std::nullopt;
        value += v[i];
      }
      ++i;  // past the closing quote
    } else {
      auto end = std::min(v.find(';', i), v.size());
      value = std::string(trim(v.substr(i, end - i)));
      if (value.find_first_of("\" ") != std::string::npos) return std::nullopt;
      i = end;
    }
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    if (i < v.size() && v[i] != ';') return std::nullopt;  // junk after the value
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::optional<std::string> parameter(const parameters& ps, std::string_view key) {
  for (auto& [k, v] : ps)
    if (k == key) return v;
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
      auto ps = read_parameters(value);
      auto name = ps ? parameter(*ps, "name") : std::nullopt;
      if (!name) return std::nullopt;
      p.name = std::move(*name);
      p.filename = parameter(*ps, "filename");
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
  auto ps = read_parameters(content_type);
  auto b = ps ? parameter(*ps, "boundary") : std::nullopt;
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
