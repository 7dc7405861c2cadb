// Fuzz target for the passthrough route's path resolution (http/api/relative_path.hpp), given
// what follows /openai/ in a client's request target: whatever it resolves to begins with '/'
// and never climbs out of the connection's base path, however its dots are spelled.
#include <string_view>

#include "http/api/relative_path.hpp"
#include "replay_main.hpp"

namespace {
// A segment an upstream could take for "." or "..": dots, spelled plainly or as %2e, with any
// ";parameters" after them.
bool dot_segment(std::string_view seg) {
  seg = seg.substr(0, seg.find(';'));
  if (seg.empty()) return false;
  std::size_t dots = 0;
  while (!seg.empty()) {
    if (seg.front() == '.') {
      seg.remove_prefix(1);
    } else if (seg.size() >= 3 && seg[0] == '%' && seg[1] == '2' && (seg[2] | 0x20) == 'e') {
      seg.remove_prefix(3);
    } else {
      return false;
    }
    ++dots;
  }
  return dots <= 2;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string path(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto r = sb::resolve_relative_path(path, why);
  if (!r) {
    if (why.empty()) sb::fuzz::violated("refused without a reason", path);
    return 0;
  }
  if (r->empty() || r->front() != '/') sb::fuzz::violated("does not begin with '/'", path);
  std::string_view rest(*r);
  rest.remove_prefix(1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto seg = rest.substr(0, slash);
    if (dot_segment(seg)) sb::fuzz::violated("a dot segment left in the path", path);
    if (seg.find('\\') != std::string_view::npos) sb::fuzz::violated("a backslash left", path);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return 0;
}
