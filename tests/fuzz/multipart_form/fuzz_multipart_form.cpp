// Fuzz target for the multipart/form-data reader (http/api/pipelines/multipart_form.hpp), given a
// Content-Type line and a body (split at the first newline of the input): never reads outside the
// body, and every file it finds, written again as the one-file form the Pipelines server gets,
// reads back the same.
#include <string>
#include <string_view>

#include "http/api/pipelines/multipart_form.hpp"
#include "replay_main.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  std::string content_type = input.substr(0, nl);
  std::string body = nl == std::string::npos ? std::string() : input.substr(nl + 1);
  auto boundary = sb::form_boundary(content_type);
  auto parts = sb::read_form(body, boundary);
  if (!parts) return 0;
  if (boundary.empty()) sb::fuzz::violated("a form read without a boundary", input);
  for (auto& p : *parts) {
    if (p.content.data() < body.data() || p.content.data() + p.content.size() > body.data() + body.size())
      sb::fuzz::violated("a part's content lies outside the body", input);
    if (!p.filename || p.filename->find_first_of("\"\\\r\n") != std::string::npos) continue;
    std::string written_boundary;
    auto written = sb::one_file_form("file", *p.filename, p.content, written_boundary);
    auto again = sb::read_form(written, written_boundary);
    if (!again || again->size() != 1 || (*again)[0].name != "file" ||
        (*again)[0].filename != p.filename || (*again)[0].content != p.content)
      sb::fuzz::violated("a file written again does not read back the same", input);
  }
  return 0;
}
