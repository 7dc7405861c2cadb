#pragma once
// GET /gateway/upstreams (admin): every running connection's health as its actor judges it, the
// load each I/O thread sees, its request outcomes and its recent health changes, as JSON.
#include <string>

namespace sb {

struct runtime;

std::string render_upstream_health(runtime& rt);

}  // namespace sb
