#pragma once
// A fresh directory under the system's temp dir, removed with everything in it at scope end:
// a database per test.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace sb::test {

struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& tag = "sb-test") {
    path = std::filesystem::temp_directory_path() /
           (tag + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

}  // namespace sb::test
