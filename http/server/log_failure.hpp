#pragma once
// Completion for co_spawn'ed coroutines: an exception that escapes one (none is expected;
// data-plane code reports errors by value) is logged and ends only that coroutine, where
// net::detached would rethrow it and end the process.
#include <spdlog/spdlog.h>

#include <exception>

namespace sb {

struct log_failure {
  const char* what;
  void operator()(std::exception_ptr e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("{} ended by an exception: {}", what, ex.what());
    } catch (...) {
      spdlog::error("{} ended by an unknown exception", what);
    }
  }
};

}  // namespace sb
