#pragma once
// GET /metrics: the gateway's counters in Prometheus text exposition format 0.0.4.
#include <string>

namespace sb {
struct runtime;
class router;
std::string render_metrics(runtime& rt, const router& routes);
}  // namespace sb
