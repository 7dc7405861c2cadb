#define CAF_SUITE thread_affinity
#include "http/server/thread_affinity.hpp"

#include <caf/test/unit_test.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <csignal>
#include <functional>
#include <thread>

#include "http/server/op_deadline.hpp"

using namespace sb;

namespace {

// Runs `f` in a child process; whether it died of SIGABRT (a broken invariant caught).
bool aborts(const std::function<void()>& f) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stderr);
    f();
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

}  // namespace

CAF_TEST(a second arm of a session deadline before it settled is caught) {
  if (!affinity_checked) {
    CAF_MESSAGE("release build: the checks are compiled out (make test-sanitize runs them)");
    return;
  }
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::socket a(ctx), b(ctx);
  CAF_CHECK(aborts([&] {
    op_deadline d;
    d.arm(a, std::chrono::milliseconds(100));
    d.arm(b, std::chrono::milliseconds(100));
  }));
  CAF_CHECK(!aborts([&] {
    op_deadline d;
    d.arm(a, std::chrono::milliseconds(100));
    d.settle({});
    d.arm(b, std::chrono::milliseconds(100));
    d.settle({});
  }));
}

CAF_TEST(state used off its home thread is caught) {
  if (!affinity_checked) {
    CAF_MESSAGE("release build: the checks are compiled out (make test-sanitize runs them)");
    return;
  }
  CAF_CHECK(aborts([] {
    home_thread home;
    std::thread other([&] { home.check("moved to another thread"); });
    other.join();
  }));
  CAF_CHECK(!aborts([] {
    home_thread home;
    home.check("stayed home");
  }));
}
