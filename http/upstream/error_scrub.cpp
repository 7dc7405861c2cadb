#include "http/upstream/error_scrub.hpp"

#include <algorithm>
#include <cctype>

#include "config/secret_fields.hpp"

namespace sb {

namespace {

constexpr std::string_view mask = "****";

bool token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}

bool key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

bool iequal_at(const std::string& s, std::size_t at, std::string_view word) {
  if (at + word.size() > s.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != word[i]) return false;
  return true;
}

void replace_all(std::string& s, std::string_view secret) {
  for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at + mask.size()))
    s.replace(at, secret.size(), mask);
}

// "Bearer abc...", "Basic abc...": the scheme stays, the credential goes.
void scrub_auth_schemes(std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t word = 0;
    if (iequal_at(s, i, "bearer"))
      word = 6;
    else if (iequal_at(s, i, "basic"))
      word = 5;
    if (!word || (i > 0 && key_char(s[i - 1]))) continue;
    auto j = i + word;
    auto spaces = j;
    while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
    if (j == spaces) continue;
    auto end = j;
    while (end < s.size() && token_char(s[end])) ++end;
    if (end - j < 4) continue;
    s.replace(j, end - j, mask);
    i = j + mask.size() - 1;
  }
}

// OpenAI-style keys: sk-..., sk-proj-..., sk_live_...
void scrub_key_shapes(std::string& s) {
  for (std::size_t i = 0; i + 3 < s.size(); ++i) {
    if (!((s[i] == 's' || s[i] == 'S') && (s[i + 1] == 'k' || s[i + 1] == 'K') &&
          (s[i + 2] == '-' || s[i + 2] == '_')))
      continue;
    if (i > 0 && key_char(s[i - 1])) continue;
    auto end = i + 3;
    while (end < s.size() && key_char(s[end])) ++end;
    if (end - (i + 3) < 4) continue;
    s.replace(i + 3, end - (i + 3), mask);
    i += 3 + mask.size() - 1;
  }
}

// key=..., api_key=..., token=... as in a URL's query.
void scrub_query_credentials(std::string& s) {
  for (std::size_t eq = s.find('='); eq != std::string::npos; eq = s.find('=', eq + 1)) {
    auto start = eq;
    while (start > 0 && key_char(s[start - 1])) --start;
    if (start == eq || !secret_query_param(std::string_view(s).substr(start, eq - start))) continue;
    auto end = eq + 1;
    while (end < s.size() && s[end] != '&' && s[end] != '"' && s[end] != '\'' && s[end] != ',' &&
           s[end] != ';' && !std::isspace(static_cast<unsigned char>(s[end])))
      ++end;
    if (end == eq + 1) continue;
    s.replace(eq + 1, end - eq - 1, mask);
  }
}

}  // namespace

std::string scrub_upstream_text(std::string_view text, const std::vector<std::string>& secrets,
                                std::size_t cap) {
  // Scrub a window a little longer than what is kept, so a credential that straddles the cut is
  // recognised whole before it is cut.
  std::string s(text.substr(0, cap + 1024));
  bool longer = text.size() > s.size();
  std::vector<std::string_view> own;
  for (auto& x : secrets) {
    if (x.size() >= 4) own.push_back(x);
    // Providers quote keys without their kind prefix too ("sk-", "pk_live_"): the rest is as good.
    auto sep = x.find_first_of("-_");
    if (sep != std::string::npos && x.size() - sep - 1 >= 8)
      own.push_back(std::string_view(x).substr(sep + 1));
  }
  std::sort(own.begin(), own.end(), [](auto a, auto b) { return a.size() > b.size(); });
  for (auto x : own) replace_all(s, x);
  scrub_auth_schemes(s);
  scrub_key_shapes(s);
  scrub_query_credentials(s);
  if (s.size() > cap || longer) {
    auto cut = std::min(cap, s.size());
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
    s += "...";
  }
  return s;
}

}  // namespace sb
