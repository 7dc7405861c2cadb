#pragma once
// Runs Pipelines filters around a request, as Open WebUI's process_pipeline_inlet_filter and
// process_pipeline_outlet_filter do: each filter in turn gets POST {url}/{id}/filter/{inlet|outlet}
// (the seed form: {url}/inlet, {url}/outlet) with {"user": {...}, "body": <the body>} and only its
// own connection's key, and what it answers is the body from then on. A filter that cannot be
// reached, is too slow, or answers junk is passed over (fail open: logged, counted); one that
// answers an error with `detail` on the inlet stops the request (how a filter refuses). Each call
// has its own timeout (PIPELINE_FILTER_TIMEOUT), its answer a cap (PIPELINE_FILTER_MAX_BODY) and
// a place in the memory budget, and is abandoned the moment the client leaves.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "http/api/auth.hpp"
#include "http/server/errors.hpp"
#include "http/server/response.hpp"
#include "messages/pipeline_filters.hpp"

namespace sb {

struct runtime;
class budget_lease;

enum class filter_phase { inlet, outlet };

/// How a chain ended. `passed`: the body is what the last filter answered.
struct filter_verdict {
  enum { passed, refused, client_left, overloaded } end = passed;
  int status = 0;      // refused: the filter's status
  std::string detail;  // refused: its `detail`, scrubbed of its connection's secrets
  // passed: what the body (the last filter's answer) holds of the memory budget; kept by the
  // caller for as long as it keeps the body.
  std::shared_ptr<budget_lease> held;
};

/// Who the request is for, as Open WebUI tells filters and pipes: {"id", "email", "name", "role"}.
boost::json::object pipeline_user(const principal& caller);

/// Sets the JSON object `body`'s "user" to the caller (a request to a Pipelines server's own
/// model). False, and `body` untouched, when it is not a JSON object.
bool add_pipeline_user(std::string& body, const principal& caller);

/// Whether `text` is one whole JSON object.
bool is_json_object_text(const std::string& text);

/// Runs `chain` in order on `body` (a JSON object's text).
boost::asio::awaitable<filter_verdict> run_filter_chain(session_io& s, runtime& rt,
                                                        std::vector<const pipeline_filter*> chain,
                                                        filter_phase phase,
                                                        const principal& caller,
                                                        std::string& body);

/// The answer to a refused or overloaded chain, in the session's dialect.
boost::asio::awaitable<handled> answer_filter_verdict(session_io& s, filter_verdict v);

}  // namespace sb
