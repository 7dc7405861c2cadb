// Fuzz target for a connection's header templates (http/upstream/header_template.hpp): the
// placeholders are filled from what a caller sends (user name, chat and message ids), and no
// value may end or corrupt a header line. Input: six values separated by NUL bytes.
#include <string_view>
#include <vector>

#include "http/upstream/header_template.hpp"
#include "replay_main.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> values;
  for (std::size_t at = 0; values.size() < 6;) {
    auto nul = input.find('\0', at);
    values.push_back(input.substr(at, nul == std::string::npos ? std::string::npos : nul - at));
    if (nul == std::string::npos) break;
    at = nul + 1;
  }
  values.resize(6);
  sb::caller_identity who{"", values[0], values[1], values[2], values[3], values[4], values[5]};
  sb::header_template t({{"X-User", "{{USER_NAME}} <{{USER_EMAIL}}> ({{USER_ID}})"},
                         {"X-Role", "{{USER_ROLE}}"},
                         {"X-Chat", "chat={{CHAT_ID}};msg={{MESSAGE_ID}}"},
                         {"X-Plain", "fixed"}});
  std::string out;
  t.render(out, &who);
  // Exactly the four lines, each "Name: value\r\n" with no control byte inside.
  std::size_t lines = 0;
  std::string_view rest(out);
  while (!rest.empty()) {
    auto end = rest.find("\r\n");
    if (end == std::string_view::npos) sb::fuzz::violated("a line without its CRLF", input);
    auto line = rest.substr(0, end);
    for (unsigned char c : line)
      if (c < 0x20 && c != '\t') sb::fuzz::violated("a control byte inside a header line", input);
    if (line.find(": ") == std::string_view::npos) sb::fuzz::violated("a line without a name", input);
    ++lines;
    rest.remove_prefix(end + 2);
  }
  if (lines != 4) sb::fuzz::violated("a value added or removed a header line", input);
  return 0;
}
