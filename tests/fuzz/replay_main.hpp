#pragma once
// The main() of a fuzz target built as a plain program (CTest): replays every file of a corpus
// directory through LLVMFuzzerTestOneInput, so each finding kept as a corpus file stays a
// regression test. Built with clang's libFuzzer (`make fuzz`, SB_LIBFUZZER) the fuzzer's own
// main() explores instead.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace sb::fuzz {

/// Aborts (what a fuzzer records as a finding) with what broke and the input's first bytes.
[[noreturn]] inline void violated(const char* what, const std::string& input) {
  std::fprintf(stderr, "property violated: %s\ninput (%zu bytes): %.200s\n", what, input.size(),
               input.c_str());
  std::abort();
}

}  // namespace sb::fuzz

#ifndef SB_LIBFUZZER
/// Inputs a target replays beyond its corpus files (too large to keep as files): a target that
/// has some defines SB_FUZZ_EXTRA_INPUTS before including this, and the function.
#ifdef SB_FUZZ_EXTRA_INPUTS
void replay_extra_inputs();
#else
void replay_extra_inputs() {}
#endif

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  std::size_t files = 0;
  for (auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++files;
  }
  replay_extra_inputs();
  std::printf("%zu corpus files replayed, properties held\n", files);
  return files > 0 ? 0 : 1;
}
#endif
