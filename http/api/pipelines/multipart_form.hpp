#pragma once
// Reading a multipart/form-data body (RFC 7578), as POST /api/v1/pipelines/upload receives one
// from Open WebUI's front end ({urlIdx, file}), and writing the one-file form the Pipelines server
// takes. Only what a form needs: each part's name, filename and content; nothing is decoded
// (transfer encodings are deprecated for forms). Untrusted bytes: every bound is checked.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

struct form_part {
  std::string name;
  std::optional<std::string> filename;  // present for a file
  std::string content_type;
  std::string_view content;  // a view into the body read
};

/// The boundary a Content-Type names (`multipart/form-data; boundary=...`, quoted or not);
/// empty when it is not a form or names none.
std::string form_boundary(std::string_view content_type);

/// The parts of `body`, or nothing when it is not a well-formed form with that boundary.
std::optional<std::vector<form_part>> read_form(std::string_view body, std::string_view boundary);

/// A form of one file field `name`: the body, and `boundary` set to the one it uses.
std::string one_file_form(std::string_view name, std::string_view filename,
                          std::string_view content, std::string& boundary);

}  // namespace sb
