#include "http/auth/secret_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sb {

secret_string token_signing_key(const secret_string& configured, const std::string& data_dir,
                                std::string& error) {
  if (!configured.empty()) return configured;
  auto path = std::filesystem::path(data_dir) / ".webui_secret_key";
  if (std::ifstream in(path); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    auto key = ss.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (!key.empty()) return secret_string(std::move(key));
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string key(sodium_base64_encoded_len(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(key.data(), key.size(), raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  key.resize(key.size() - 1);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || ::write(fd, key.data(), key.size()) != static_cast<ssize_t>(key.size()) ||
      ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    error = "cannot keep a token signing key in '" + path.string() +
            "' (set WEBUI_SECRET_KEY instead)";
    return {};
  }
  ::close(fd);
  return secret_string(std::move(key));
}

}  // namespace sb
