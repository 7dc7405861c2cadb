#pragma once
// Cancels the upstream calls made for one client when it leaves: a fan-out runs several calls at
// once, each with its own upstream_cancel (one socket operation in flight each); the group
// cancels them all. Used on one I/O thread only, like the calls.
#include <memory>
#include <vector>

#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

class cancel_group {
 public:
  /// A token for one more call of the group (already cancelled when the group is).
  std::shared_ptr<upstream_cancel> join() {
    auto c = std::make_shared<upstream_cancel>();
    c->requested = requested_;
    members_.push_back(c);
    return c;
  }
  void request() {
    requested_ = true;
    for (auto& m : members_) m->request();
  }
  bool requested() const { return requested_; }

 private:
  bool requested_ = false;
  std::vector<std::shared_ptr<upstream_cancel>> members_;
};

}  // namespace sb
