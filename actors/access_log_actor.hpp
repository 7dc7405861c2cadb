#pragma once
// access_log_actor: the first reader of request records (ACCESS_LOG). Each record becomes one
// JSON line on stdout or appended to ACCESS_LOG_FILE; a batch is written and flushed at once.
// Runs detached: writing a file blocks. Never a secret: the records hold none.
#include <cstdio>
#include <string>

#include "messages/protocols.hpp"

namespace sb {

struct access_log_state {
  std::FILE* out = nullptr;
  bool owned = false;  // a file we opened (stdout is not closed)
  ~access_log_state() {
    if (owned && out) std::fclose(out);
  }
  static inline const char* name = "access_log_actor";
};

/// One record's line (without the newline); exposed for tests.
std::string access_log_line(const request_record& r);

/// Writes to `path`, or stdout when it is empty. An unusable path is reported and stdout used.
access_log_actor::behavior_type access_log_actor_impl(
    access_log_actor::stateful_pointer<access_log_state> self, std::string path);

}  // namespace sb
