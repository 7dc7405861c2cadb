#pragma once
// A connection's own headers as wire text, with the placeholders Open WebUI fills in filled per
// request: {{USER_ID}}, {{USER_NAME}}, {{USER_EMAIL}}, {{USER_ROLE}}, {{CHAT_ID}} and
// {{MESSAGE_ID}}. Headers without any render as one piece of text, as fast as before templates.
// A filled-in value never breaks the header: control bytes are dropped, and the user's name is
// percent-encoded as Open WebUI encodes it in X-OpenWebUI-User-Name (spaces kept).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/upstream/caller_identity.hpp"

namespace sb {

class header_template {
 public:
  using header_list = std::vector<std::pair<std::string, std::string>>;
  explicit header_template(const header_list& headers);

  /// Whether any header has a placeholder (and so must be rendered per request).
  bool per_request() const { return per_request_; }
  /// Whether there are no headers at all.
  bool empty() const { return pieces_.size() == 1 && pieces_[0].text.empty() && !per_request_; }
  /// About how many bytes a rendering takes.
  std::size_t size_hint() const { return size_hint_; }
  /// Appends every header line ("Name: value\r\n") to `out`, placeholders filled from `who`
  /// (empty when `who` is null or does not know the value).
  void render(std::string& out, const caller_identity* who) const;

 private:
  enum class field { none, user_id, user_name, user_email, user_role, chat_id, message_id };
  struct piece {
    std::string text;         // literal wire text
    field fill = field::none; // or a value to fill in after it
  };
  std::vector<piece> pieces_;
  bool per_request_ = false;
  std::size_t size_hint_ = 0;
};

/// `value` as a header value: percent-encoded except letters, digits, "_.-~" and spaces, as
/// Python's quote(value, safe=" ") does (Open WebUI's encoding of user names).
std::string quote_header_value(std::string_view value);

/// `value` without control bytes (CR, LF, NUL...), which would end or corrupt a header line.
std::string strip_control_bytes(std::string_view value);

}  // namespace sb
