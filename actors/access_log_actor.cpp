#include "actors/access_log_actor.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <ctime>

namespace sb {

namespace json = boost::json;

namespace {

std::string iso_time(std::int64_t ms) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

std::string access_log_line(const request_record& r) {
  json::object o;
  o["time"] = iso_time(r.at_ms);
  o["method"] = r.method;
  o["route"] = r.route;
  o["status"] = r.status;
  o["user_id"] = text_or_null(r.user_id);
  o["api_key_id"] = text_or_null(r.api_key_id);
  o["model"] = text_or_null(r.model);
  o["connection"] = text_or_null(r.connection);
  o["attempts"] = r.attempts;
  o["bytes_in"] = r.bytes_in;
  o["bytes_out"] = r.bytes_out;
  o["first_byte_us"] = r.first_byte_us < 0 ? json::value(nullptr) : json::value(r.first_byte_us);
  o["duration_us"] = r.duration_us;
  o["cancelled"] = r.cancelled;
  if (r.cut) o["cut"] = true;
  if (r.metered) {
    o["prompt_tokens"] = r.prompt_tokens < 0 ? json::value(nullptr) : json::value(r.prompt_tokens);
    o["completion_tokens"] =
        r.completion_tokens < 0 ? json::value(nullptr) : json::value(r.completion_tokens);
  }
  return json::serialize(o);
}

access_log_actor::behavior_type access_log_actor_impl(
    access_log_actor::stateful_pointer<access_log_state> self, std::string path) {
  auto& st = self->state;
  st.out = stdout;
  if (!path.empty()) {
    if (auto* f = std::fopen(path.c_str(), "a")) {
      st.out = f;
      st.owned = true;
    } else {
      spdlog::error("ACCESS_LOG_FILE '{}' cannot be opened for appending: access log on stdout",
                    path);
    }
  }
  return {
      [self](records_atom, const request_records& batch) {
        std::string lines;
        for (auto& r : batch) {
          lines += access_log_line(r);
          lines += '\n';
        }
        std::fwrite(lines.data(), 1, lines.size(), self->state.out);
        std::fflush(self->state.out);
      },
  };
}

}  // namespace sb
