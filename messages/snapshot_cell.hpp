#pragma once
// An immutable value published by one owner (an actor) and read by many threads without locks on
// the reader side that matter: a reader takes a shared_ptr copy (~40 ns) and keeps that snapshot
// for the whole request, so an update never changes a request half-way.
#include <atomic>
#include <memory>

namespace sb {

template <class T>
class snapshot_cell {
 public:
  snapshot_cell() : ptr_(std::make_shared<const T>()) {}
  explicit snapshot_cell(std::shared_ptr<const T> first) : ptr_(std::move(first)) {}

  std::shared_ptr<const T> load() const { return ptr_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const T> next) {
    ptr_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const T>> ptr_;
};

}  // namespace sb
