// GET /api/v1/cluster: this node and its peers as the cluster actor last published them
// (actors/cluster_actor.hpp). Admin only: it names the peers' addresses.
#include <boost/json.hpp>

#include "http/api/handlers.hpp"
#include "http/server/runtime.hpp"

namespace sb {

namespace json = boost::json;

json::object cluster_json(const cluster_status& c) {
  json::array peers;
  for (auto& p : c.peers)
    peers.push_back(json::object{{"node", p.node},
                                 {"address", p.address},
                                 {"state", p.state},
                                 {"behind_us", p.behind_us},
                                 {"behind_it", p.behind_it},
                                 {"last_heard_at_ms", p.last_heard_ms}});
  return {{"enabled", c.enabled},
          {"node", c.node},
          {"feed", c.feed},
          {"members", c.members},
          {"configured", c.configured},
          {"strangers_refused", c.strangers_refused},
          {"peers", std::move(peers)}};
}

route_result cluster_get(api_context& ctx, session_io& s, client_request&) {
  auto status = ctx.rt.cluster.load();
  co_return co_await send_body(s, boost::beast::http::status::ok,
                               json::serialize(cluster_json(*status)));
}

}  // namespace sb
