#pragma once
// Maps a request to its entry in the route table (http/api/route_table.hpp) and runs it through
// the stages the route names. Literal paths are found by one hash lookup, patterns with parameters
// by a short scan. Everything a route declares is enforced here, once, in this order: 404 for an
// unknown path, 405 (with Allow) for a method the path does not answer; authenticate
// (http/api/auth.hpp) and authorise (401/403 by the route's access level, the cross-site guard for
// writes), all from the head alone; 404 for a `{url_idx}` that names no connection; resolve the
// model (stage by_model, http/api/stages/resolve_model.hpp); the inlet filters; admit (limits
// and budgets, http/api/stages/admit.hpp); then the handler.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/api/route_table.hpp"
#include "http/api/stages/admit.hpp"
#include "http/server/metrics.hpp"
#include "http/server/request_handler.hpp"
#include "messages/catalog_snapshot.hpp"

namespace sb {

class router final : public request_handler {
 public:
  router(runtime& rt, control_plane& cp);

  boost::asio::awaitable<handled> handle(session_io& s, client_request& req,
                                         route_stats*& stats) override;
  boost::asio::awaitable<std::optional<handled>> refuse_head(session_io& s,
                                                             const client_request& head,
                                                             route_stats*& stats) override;

  /// The counters of every route, labelled by pattern, then those of unmatched requests.
  template <class F>
  void for_each_route_stats(F&& f) const {
    for (std::size_t i = 0; i < table_.size(); ++i) f(table_[i].pattern, stats_[i]);
    f(std::string_view("other"), stats_[table_.size()]);
  }

 private:
  // What a request's head alone decides: its route and caller, or the error it gets (answered in
  // `dialect`, counted in `stats`).
  struct head_verdict {
    const route_def* route = nullptr;
    route_params params;
    principal caller;
    route_stats* stats = nullptr;
    error_dialect dialect = error_dialect::openai;
    std::optional<gateway_error> error;
    std::string message;
    std::string extra;  // header lines for the error answer (Allow)
    head_verdict& refuse(gateway_error e, std::string why, std::string lines = {}) {
      error = e;
      message = std::move(why);
      extra = std::move(lines);
      return *this;
    }
  };
  head_verdict judge_head(const client_request& req) const;
  // The model stage (by_model): true when the model was found at once (into ctx.model); else
  // resolve_slowly looks again after lists being fetched are in, or answers why not, and runs the
  // handler.
  bool resolve_now(api_context& ctx, const route_def& route, client_request& req) const;
  // The model stage's verdict, the caller's access to the model included.
  model_resolution resolve_for(const api_context& ctx, const route_def& route,
                               client_request& req, bool waited) const;
  model_resolution find_model(const api_context& ctx, const route_def& route,
                              client_request& req, bool waited) const;
  void resolve_preset(const api_context& ctx, const route_def& route, client_request& req,
                      bool waited, model_resolution& r) const;
  boost::asio::awaitable<handled> resolve_slowly(api_context& ctx, session_io& s,
                                                 client_request& req, const route_def& route) const;
  // The stages after the model's: the inlet filters when any apply, then admit when any limit
  // is set (each in a frame of its own), then the handler. Not coroutines: the common case
  // returns the handler's awaitable.
  boost::asio::awaitable<handled> run_handler(api_context& ctx, session_io& s,
                                              client_request& req, const route_def& route) const;
  boost::asio::awaitable<handled> admit_or_handle(api_context& ctx, session_io& s,
                                                  client_request& req,
                                                  const route_def& route) const;
  boost::asio::awaitable<handled> admit_then_handle(api_context& ctx, session_io& s,
                                                    client_request& req,
                                                    const route_def& route) const;
  // `passthrough`: where a route without the model stage has its body read (the views point
  // into it).
  admission_request admission_of(const api_context& ctx, client_request& req,
                                 const route_def& route, chat_request_view& passthrough) const;
  boost::asio::awaitable<handled> filter_then_handle(api_context& ctx, session_io& s,
                                                     client_request& req,
                                                     const route_def& route) const;
  // The record stage: the route and caller, into the request's record.
  void note_route(request_record& r, const head_verdict& v) const;

  // The table entries whose pattern matches a path: literal ones first, then (unless a literal one
  // answers `method`) those with parameters, in table order. As in Open WebUI (Starlette), a path
  // whose route does not answer the method may still be answered by a pattern that does.
  struct matches {
    const route_def* found[8];
    route_params params[8];  // what each found pattern captured
    std::size_t count = 0;
  };
  void match(std::string_view path, std::uint8_t method, matches& out) const;

  runtime& rt_;
  control_plane& cp_;
  std::span<const route_def> table_;
  std::unique_ptr<route_stats[]> stats_;  // parallel to table_, plus one for "other"
  std::unordered_map<std::string_view, std::vector<const route_def*>, string_hash, std::equal_to<>>
      literal_;
  std::vector<const route_def*> patterned_;
};

}  // namespace sb
