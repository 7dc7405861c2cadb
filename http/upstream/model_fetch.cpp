#include "http/upstream/model_fetch.hpp"

#include <boost/asio/co_spawn.hpp>

#include "http/server/log_failure.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_call.hpp"
#include "http/upstream/upstream_endpoint.hpp"

namespace sb {

namespace {

boost::asio::awaitable<void> run_fetch(runtime& rt, std::shared_ptr<upstream_endpoint> ep, std::string path,
                               std::uint64_t generation, std::function<void(fetch_result)> done) {
  // The actor must always hear back, or it would wait for this fetch forever: call_upstream
  // turns every failure into a reply.
  auto reply = co_await call_upstream(std::move(ep), boost::beast::http::verb::get, std::move(path),
                                      std::string(), rt.cfg.model_list_timeout);
  fetch_result r;
  r.generation = generation;
  r.status = reply.status;
  r.body = std::move(reply.body);
  r.error = std::move(reply.error);
  r.connect_failed = reply.connect_failed;
  done(std::move(r));
}

}  // namespace

void fetch_model_list(runtime& rt, std::shared_ptr<upstream_endpoint> ep, std::string path,
                      std::uint64_t generation, std::function<void(fetch_result)> done) {
  boost::asio::co_spawn(rt.io.context(0),
                        run_fetch(rt, std::move(ep), std::move(path), generation, std::move(done)),
                        log_failure{"model-list fetch"});
}

}  // namespace sb
