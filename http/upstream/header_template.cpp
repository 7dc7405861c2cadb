#include "http/upstream/header_template.hpp"

#include "http/upstream/percent_encode.hpp"

namespace sb {

std::string quote_header_value(std::string_view value) { return percent_encode(value, true); }

std::string strip_control_bytes(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value)
    if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
  return out;
}

header_template::header_template(const header_list& headers) {
  static constexpr std::pair<std::string_view, field> names[] = {
      {"{{USER_ID}}", field::user_id},       {"{{USER_NAME}}", field::user_name},
      {"{{USER_EMAIL}}", field::user_email}, {"{{USER_ROLE}}", field::user_role},
      {"{{CHAT_ID}}", field::chat_id},       {"{{MESSAGE_ID}}", field::message_id}};
  std::string text;
  auto add = [&](std::string_view literal) { text.append(literal); };
  for (auto& [name, value] : headers) {
    add(name);
    add(": ");
    std::string_view rest = value;
    while (!rest.empty()) {
      // The earliest placeholder left in the value, if any.
      std::size_t at = std::string_view::npos;
      const std::pair<std::string_view, field>* which = nullptr;
      for (auto& p : names)
        if (auto i = rest.find(p.first); i < at) {
          at = i;
          which = &p;
        }
      if (!which) {
        add(rest);
        break;
      }
      add(rest.substr(0, at));
      pieces_.push_back({std::move(text), which->second});
      text.clear();
      per_request_ = true;
      rest.remove_prefix(at + which->first.size());
    }
    add("\r\n");
  }
  if (!text.empty() || pieces_.empty()) pieces_.push_back({std::move(text), field::none});
  for (auto& p : pieces_) size_hint_ += p.text.size() + (p.fill == field::none ? 0 : 48);
}

void header_template::render(std::string& out, const caller_identity* who) const {
  for (auto& p : pieces_) {
    out += p.text;
    if (p.fill == field::none || !who) continue;
    switch (p.fill) {
      case field::user_id: out += strip_control_bytes(who->user_id); break;
      case field::user_name: out += quote_header_value(who->user_name); break;
      case field::user_email: out += strip_control_bytes(who->user_email); break;
      case field::user_role: out += strip_control_bytes(who->user_role); break;
      case field::chat_id: out += strip_control_bytes(who->chat_id); break;
      case field::message_id: out += strip_control_bytes(who->message_id); break;
      case field::none: break;
    }
  }
}

}  // namespace sb
