#pragma once
// One rendered model list (GET /openai/models, /ollama/api/tags, /ollama/v1/models and their
// per-connection forms): the whole body, rendered once by the catalog actor, and each entry with
// the model id it shows. A caller whom per-model access control limits gets the entries they may
// see joined between the same head and tail: string appends, nothing parsed per request.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb {

struct model_list {
  std::string head;  // `{"data":[` or `{"models":[`
  std::string tail;  // `],"object":"list"}` or `]}`
  std::vector<std::pair<std::string, std::string>> entries;  // model id, entry JSON
  std::string body;  // head + entries + tail, once finish() has run
  // Names this rendering (never reused), so what is derived from it can be cached by it.
  std::uint64_t serial = 0;

  static model_list openai_shaped() { return {R"({"data":[)", R"(],"object":"list"})", {}, {}}; }
  static model_list ollama_tags() { return {R"({"models":[)", "]}", {}, {}}; }

  void add(std::string id, std::string entry) { entries.emplace_back(std::move(id), std::move(entry)); }

  void finish() {
    static std::atomic<std::uint64_t> next_serial{1};
    body = joined([](std::string_view) { return true; });
    serial = next_serial.fetch_add(1, std::memory_order_relaxed);
  }

  /// The list of the entries whose model id `shown` keeps.
  template <class Pred>
  std::string joined(Pred shown) const {
    std::string out = head;
    bool first = true;
    for (auto& [id, entry] : entries) {
      if (!shown(std::string_view(id))) continue;
      if (!first) out += ',';
      out += entry;
      first = false;
    }
    return out + tail;
  }
};

}  // namespace sb
