#pragma once
// The Pipelines server API for fake_upstream (open-webui/pipelines' main.py): a model list with
// "pipelines": true whose items carry `pipeline: {type, pipelines, priority, valves}`, filters at
// POST /{id}/filter/inlet and /filter/outlet, valves, and the admin routes (/pipelines, /add,
// /upload, /delete). With --server-filters, the project description's form instead: POST /inlet
// and /outlet at the server level. No I/O here: fake_upstream.cpp writes what these decide.
//
// --pipelines takes a JSON array of pipelines: {"id", "name"?, "type": "filter"|"pipe",
// "pipelines"?: [...], "priority"?: n, "action"?: ...}. A filter's action:
//   tag (default)   appends " [id:inlet]" to the last user message (outlet: " [id:outlet]" to
//                   the last message)
//   refuse          403 {"detail": "refused by {id}"}
//   slow:<ms>       waits that long (watching for the client to leave), then tags
//   garbage         200 with a body that is not JSON
//   model:<name>    sets the body's "model" (a routing filter), then tags
// Every filter call is recorded (GET /_stats: "pipelines": {"calls": [{id, phase, body, user,
// auth}]}).
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace fake_pipelines {

struct reply {
  int status = 200;
  std::string body;
  int delay_ms = 0;  // before the answer is written
};

/// Sets the server's pipelines from --pipelines; false when the JSON is not an array of them.
bool configure(std::string_view spec);
/// --server-filters: POST /inlet and /outlet answer (tagging " [server:inlet]"), nothing else.
void serve_server_level_filters();
bool enabled();
bool server_level();

/// The answer to a request this API owns, or nothing when the path is not one of its own.
std::optional<reply> answer(std::string_view method, const std::string& path,
                            const std::string& body, std::string_view content_type,
                            std::string_view authorization);

/// GET /models: every pipeline, with "pipelines": true.
std::string models_json();

/// What /_stats shows of it.
boost::json::value stats();

}  // namespace fake_pipelines
