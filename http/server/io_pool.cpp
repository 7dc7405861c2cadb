#include "http/server/io_pool.hpp"

#include "http/server/op_deadline.hpp"

namespace sb {

namespace {
thread_local int current_io_index = -1;
}

io_pool::io_pool(unsigned threads) {
  if (threads == 0) threads = 1;
  for (unsigned i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by one thread (other threads only post to it).
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

io_pool::~io_pool() {
  stop();
  join();
}

void io_pool::start() {
  for (unsigned i = 0; i < contexts_.size(); ++i)
    threads_.emplace_back([this, i] {
      current_io_index = static_cast<int>(i);
      start_deadline_ticker(*contexts_[i]);
      contexts_[i]->run();
    });
}

void io_pool::stop() {
  guards_.clear();
  for (auto& c : contexts_) c->stop();
}

void io_pool::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

int io_pool::current_index() { return current_io_index; }

}  // namespace sb
