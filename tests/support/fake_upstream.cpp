// fake_upstream: a programmable LLM provider for integration tests and benchmarks. It speaks the
// OpenAI wire format (GET */models, POST */chat/completions, SSE) and Ollama's (GET /api/tags,
// /api/version, /api/ps; POST /api/chat and /api/generate (NDJSON), /api/embed, /api/embeddings,
// /api/show, /api/pull, /api/push, /api/create (NDJSON progress), /api/copy, DELETE /api/delete,
// /v1/chat/completions, /v1/completions). Pull, create, copy and delete change the model list.
// OpenAI's other endpoints: POST */embeddings, */completions, */responses (SSE events when
// streamed), */audio/speech (audio bytes).
// Behaviour is chosen per request by tokens in the model name, joined with '+':
//   ok (default)      answer normally; chunks:<n> content chunks (default 5), chunk_delay:<ms>
//   slow_ttft:<ms>    wait before the response headers
//   stall_after:<n>   send n chunks, then nothing until the client leaves
//   reset_after:<n>   send n chunks, then reset the connection
//   garbage           200 with a body that is not JSON
//   empty             200 with an empty body
//   html_500          500 with an HTML page
//   error:<code>      an OpenAI-shaped JSON error with that status; retry_after:<s> adds Retry-After
//   jitter:<ms>       with slow_ttft: one request in ten waits that much longer (a heavy tail)
//   slow_body:<ms>    a whole (non-streamed) answer's body comes that long after its head
//   fail_rate:<pct>   that share of requests (at random) answers 500
//   list_error:<code> GET */models and /api/tags answer that status
//   provider_headers  answers carry a provider's own fields (x-request-id, rate limits, a
//                     cookie, Server, HSTS, a hop-by-hop field, one quoting the key)
//   hangup:<ms>       read the whole request, wait that long, close without answering
//   hangup_rst:<ms>   the same, closing with a reset
// The same tokens set for the whole server (POST /_behave with them as the body, or --behave)
// apply to every request first: how one connection of several serving a model misbehaves.
// GET /_stats answers counters the tests assert on (requests, disconnects seen, last model, and
// the last request other than a GET: its method, path, body, Authorization and every header).
//
// usage: fake_upstream [--port N] [--models a,b] [--name NAME] [--key KEY] [--host ADDR]
//                      [--list-delay MS] [--version V] [--behave TOKENS]
//                      [--pipelines JSON] [--server-filters 1] (tests/support/fake_pipelines.hpp)
// Prints "PORT <n>" on stdout once listening.
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/fake_pipelines.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

struct options {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::vector<std::string> models{"fake-model"};
  std::string name = "fake";
  std::string key;
  int list_delay_ms = 0;  // how long GET */models and /api/tags take
  std::string version = "0.5.7";  // GET /api/version
};

struct counters {
  std::uint64_t requests = 0;
  std::uint64_t chat_requests = 0;
  std::uint64_t disconnects = 0;  // clients that left while a response was pending or streaming
  std::uint64_t completed_streams = 0;
  std::uint64_t stalled = 0;  // streams that reached their stall_after point
  std::uint64_t version_requests = 0;
  std::uint64_t delete_requests = 0;
  std::int64_t open_connections = 0;  // client connections open now
  std::string last_model;
  std::string last_path;
  std::string last_method;
  std::string last_body;
  std::string last_auth;
  std::string last_target;   // with the query, of any request (GETs included)
  std::string last_api_key;  // Azure's key header, likewise
  json::object last_headers;  // of the last non-GET request: lower-case name -> every value
};

options opts;
counters stats;

// Request bodies as deep as the gateway lets through (tool schemas), not Boost.JSON's 32 levels.
json::value parse_deep(std::string_view text, boost::system::error_code& ec) {
  json::parse_options o;
  o.max_depth = 256;
  return json::parse(text, ec, {}, o);
}

struct behaviour {
  int chunks = 5;
  int chunk_delay_ms = 0;
  int slow_ttft_ms = 0;
  int stall_after = -1;
  int reset_after = -1;
  bool garbage = false;
  bool empty = false;
  bool html_500 = false;
  int error_status = 0;
  int retry_after = -1;  // with error: a Retry-After header (seconds)
  int list_error = 0;    // GET */models and /api/tags answer this status
  int jitter_ms = 0;     // with slow_ttft: that much more on some requests (a heavy tail)
  int slow_body_ms = 0;  // a whole answer's body comes that long after its head
  int fail_percent = 0;  // that share of requests answers 500 (a flaky server)
  bool provider_headers = false;
  int hangup_ms = -1;    // close without answering, that long after reading the request
  bool hangup_reset = false;
};

// Applies to every request, before the model's own tokens (POST /_behave sets it, --behave too):
// how a whole server misbehaves, for routing and health tests where every connection serves the
// same model name.
std::string server_behaviour;

behaviour parse_tokens(std::string_view model, behaviour b);

behaviour parse_behaviour(std::string_view model) {
  return parse_tokens(model, parse_tokens(server_behaviour, behaviour{}));
}

behaviour parse_tokens(std::string_view model, behaviour b) {
  std::size_t start = 0;
  while (start <= model.size()) {
    auto end = model.find('+', start);
    auto tok =
        model.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    auto num = [&](std::string_view prefix) -> int {
      return std::atoi(std::string(tok.substr(prefix.size())).c_str());
    };
    if (tok.starts_with("chunks:"))
      b.chunks = num("chunks:");
    else if (tok.starts_with("chunk_delay:"))
      b.chunk_delay_ms = num("chunk_delay:");
    else if (tok.starts_with("slow_ttft:"))
      b.slow_ttft_ms = num("slow_ttft:");
    else if (tok.starts_with("stall_after:"))
      b.stall_after = num("stall_after:");
    else if (tok.starts_with("reset_after:"))
      b.reset_after = num("reset_after:");
    else if (tok.starts_with("error:"))
      b.error_status = num("error:");
    else if (tok.starts_with("retry_after:"))
      b.retry_after = num("retry_after:");
    else if (tok.starts_with("list_error:"))
      b.list_error = num("list_error:");
    else if (tok.starts_with("jitter:"))
      b.jitter_ms = num("jitter:");
    else if (tok.starts_with("slow_body:"))
      b.slow_body_ms = num("slow_body:");
    else if (tok.starts_with("fail_rate:"))
      b.fail_percent = num("fail_rate:");
    else if (tok.starts_with("hangup:"))
      b.hangup_ms = num("hangup:");
    else if (tok.starts_with("hangup_rst:")) {
      b.hangup_ms = num("hangup_rst:");
      b.hangup_reset = true;
    }
    else if (tok == "provider_headers")
      b.provider_headers = true;
    else if (tok == "garbage")
      b.garbage = true;
    else if (tok == "empty")
      b.empty = true;
    else if (tok == "html_500")
      b.html_500 = true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return b;
}

std::uint64_t next_random() {
  static std::uint64_t state = 0x853c49e6748fea9bull ^ static_cast<std::uint64_t>(::getpid());
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

// Time to first token: slow_ttft, plus jitter on one request in ten (a heavy tail).
int ttft_of(const behaviour& b) {
  static std::uint64_t n = 0;
  int wait = b.slow_ttft_ms;
  if (b.jitter_ms > 0 && ++n % 10 == 0) wait += b.jitter_ms;
  return wait;
}

bool peer_closed(tcp::socket& s) {
  char c;
  auto n = ::recv(s.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// Sleeps `ms`, returning false early if the client leaves meanwhile.
net::awaitable<bool> wait_watching(beast::tcp_stream& s, int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  net::steady_timer t(s.get_executor());
  while (std::chrono::steady_clock::now() < deadline) {
    if (peer_closed(s.socket())) co_return false;
    auto left = deadline - std::chrono::steady_clock::now();
    t.expires_after(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(5)));
    co_await t.async_wait(use_nothrow);
  }
  co_return !peer_closed(s.socket());
}

std::string openai_error(std::string_view message, int code) {
  return json::serialize(json::object{
      {"error", json::object{{"message", message}, {"type", "fake_error"}, {"code", code}}}});
}

// What a real provider adds to its answers (provider_headers, server-wide).
void add_provider_headers(http::fields& f) {
  if (!parse_behaviour("").provider_headers) return;
  f.set("x-request-id", "req-" + std::to_string(stats.requests));
  f.set("openai-processing-ms", "7");
  f.set("x-ratelimit-remaining-requests", "99");
  f.set(http::field::server, "fake-provider");
  f.set(http::field::set_cookie, "__cf_bm=provider-cookie; path=/");
  f.set(http::field::strict_transport_security, "max-age=31536000");
  f.set(http::field::connection, "x-hop");
  f.set("x-hop", "hop-by-hop");
  f.set("x-echo", "key was " + opts.key);
  f.set(http::field::access_control_allow_origin, "*");
  f.set(http::field::www_authenticate, "Bearer realm=\"provider\"");
}

template <class Body>
net::awaitable<bool> write(beast::tcp_stream& s, http::response<Body>& res) {
  auto [ec, n] = co_await http::async_write(s, res, use_nothrow);
  co_return !ec;
}

net::awaitable<bool> simple(beast::tcp_stream& s, unsigned ver, bool keep, http::status st,
                            std::string body, std::string_view ct = "application/json") {
  http::response<http::string_body> res{st, ver};
  add_provider_headers(res);
  res.set(http::field::content_type, ct);
  res.keep_alive(keep);
  res.body() = std::move(body);
  res.prepare_payload();
  co_return co_await write(s, res);
}

// A whole answer whose head comes at once and whose body comes `ms` later.
net::awaitable<bool> slow_body(beast::tcp_stream& s, unsigned ver, bool keep, std::string body,
                               int ms) {
  http::response<http::string_body> res{http::status::ok, ver};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep);
  res.body() = std::move(body);
  res.prepare_payload();
  http::response_serializer<http::string_body> sr{res};
  if (auto [ec, n] = co_await http::async_write_header(s, sr, use_nothrow); ec) co_return false;
  if (!co_await wait_watching(s, ms)) {
    ++stats.disconnects;
    co_return false;
  }
  auto [ec, n] = co_await http::async_write(s, sr, use_nothrow);
  co_return !ec;
}

// With `usage` (the request asked for stream_options.include_usage) every chunk carries
// "usage": null, as OpenAI's do; the usage itself comes in a chunk of its own (usage_chunk).
std::string sse_chunk(const std::string& model, int i, bool last, bool usage = false) {
  json::object delta;
  if (!last) delta["content"] = opts.name + ":tok" + std::to_string(i) + " ";
  json::object choice{{"index", 0},
                      {"delta", delta},
                      {"finish_reason", last ? json::value("stop") : json::value(nullptr)}};
  json::object o{{"id", "chatcmpl-fake"},
                 {"object", "chat.completion.chunk"},
                 {"created", 1700000000},
                 {"model", model},
                 {"choices", json::array{choice}}};
  if (usage) o["usage"] = nullptr;
  return "data: " + json::serialize(o) + "\n\n";
}

std::string usage_chunk(const std::string& model, int chunks) {
  json::object o{{"id", "chatcmpl-fake"},
                 {"object", "chat.completion.chunk"},
                 {"created", 1700000000},
                 {"model", model},
                 {"choices", json::array{}},
                 {"usage", json::object{{"prompt_tokens", 3},
                                        {"completion_tokens", chunks},
                                        {"total_tokens", 3 + chunks}}}};
  return "data: " + json::serialize(o) + "\n\n";
}

// Whether an OpenAI request asked for a stream's usage (stream_options.include_usage).
bool wants_stream_usage(const json::value& body) {
  auto* so = body.is_object() ? body.as_object().if_contains("stream_options") : nullptr;
  auto* iu = so && so->is_object() ? so->as_object().if_contains("include_usage") : nullptr;
  return iu && iu->is_bool() && iu->as_bool();
}

// Which answer shape a request gets: OpenAI's chat, Ollama's chat, Ollama's generate.
enum class dialect { openai, ollama_chat, ollama_generate };

std::string ollama_error(std::string_view message) {
  return json::serialize(json::object{{"error", message}});
}

std::string ndjson_chunk(const std::string& model, int i, bool last, dialect d) {
  std::string text = last ? "" : opts.name + ":tok" + std::to_string(i) + " ";
  json::object o{{"model", model}, {"created_at", "2024-01-01T00:00:00Z"}, {"done", last}};
  if (d == dialect::ollama_generate)
    o["response"] = text;
  else
    o["message"] = json::object{{"role", "assistant"}, {"content", text}};
  if (last) {
    o["done_reason"] = "stop";
    o["eval_count"] = i;
    o["prompt_eval_count"] = 3;
  }
  return json::serialize(o) + "\n";
}

// JSON bodies are built outside coroutines: g++ 12 miscompiles braced lists of string literals
// inside a coroutine frame ("array used as initializer").
std::string stats_json() {
  json::object o{{"requests", stats.requests},
                 {"chat_requests", stats.chat_requests},
                 {"open_connections", stats.open_connections},
                 {"disconnects", stats.disconnects},
                 {"completed_streams", stats.completed_streams},
                 {"stalled", stats.stalled},
                 {"version_requests", stats.version_requests},
                 {"delete_requests", stats.delete_requests},
                 {"last_model", stats.last_model},
                 {"last_path", stats.last_path},
                 {"last_method", stats.last_method},
                 {"last_body", stats.last_body},
                 {"last_auth", stats.last_auth},
                 {"last_target", stats.last_target},
                 {"last_api_key", stats.last_api_key},
                 {"last_headers", stats.last_headers},
                 {"models", json::value_from(opts.models)},
                 {"pipelines", fake_pipelines::stats()}};
  return json::serialize(o);
}

std::string models_json() {
  json::array data;
  for (auto& m : opts.models)
    data.push_back(json::object{
        {"id", m}, {"object", "model"}, {"created", 1700000000}, {"owned_by", opts.name}});
  return json::serialize(json::object{{"object", "list"}, {"data", data}});
}

std::string tags_json() {
  json::array models;
  for (auto& m : opts.models)
    models.push_back(json::object{{"name", m},
                                  {"model", m},
                                  {"modified_at", "2024-01-01T00:00:00Z"},
                                  {"size", 1000},
                                  {"digest", "sha256:fake"},
                                  {"details", json::object{}}});
  return json::serialize(json::object{{"models", models}});
}

std::string whole_answer(const std::string& model, int chunks, dialect d) {
  std::string content;
  for (int i = 0; i < chunks; ++i) content += opts.name + ":tok" + std::to_string(i) + " ";
  json::object o;
  if (d == dialect::ollama_generate) {
    o = {{"model", model}, {"response", content}, {"done", true},
         {"prompt_eval_count", 3}, {"eval_count", chunks}};
  } else if (d == dialect::ollama_chat) {
    o = {{"model", model},
         {"message", json::object{{"role", "assistant"}, {"content", content}}},
         {"done", true},
         {"done_reason", "stop"},
         {"prompt_eval_count", 3},
         {"eval_count", chunks}};
  } else {
    o = {{"id", "chatcmpl-fake"},
         {"object", "chat.completion"},
         {"created", 1700000000},
         {"model", model},
         {"choices", json::array{json::object{
                         {"index", 0},
                         {"message", json::object{{"role", "assistant"}, {"content", content}}},
                         {"finish_reason", "stop"}}}},
         {"usage",
          json::object{
              {"prompt_tokens", 3}, {"completion_tokens", chunks}, {"total_tokens", 3 + chunks}}}};
  }
  return json::serialize(o);
}

// A streamed answer: each chunk its own write, as a model producing tokens would.
net::awaitable<bool> stream_answer(beast::tcp_stream& s, unsigned ver, bool keep,
                                   const std::string& model, const behaviour& b, dialect d,
                                   bool usage) {
  bool ndjson = d != dialect::openai;
  http::response<http::empty_body> res{http::status::ok, ver};
  add_provider_headers(res);
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::content_type, ndjson ? "application/x-ndjson" : "text/event-stream");
  res.keep_alive(keep);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  if (auto [ec, n] = co_await http::async_write_header(s, sr, use_nothrow); ec) co_return false;
  for (int i = 0; i < b.chunks; ++i) {
    if (b.stall_after == i) {
      ++stats.stalled;
      while (!peer_closed(s.socket())) co_await wait_watching(s, 50);
      ++stats.disconnects;
      co_return false;
    }
    if (b.reset_after == i) {
      s.socket().set_option(net::socket_base::linger(true, 0));
      s.socket().close();
      co_return false;
    }
    if (b.chunk_delay_ms > 0 && !co_await wait_watching(s, b.chunk_delay_ms)) {
      ++stats.disconnects;
      co_return false;
    }
    auto c = ndjson ? ndjson_chunk(model, i, false, d) : sse_chunk(model, i, false, usage);
    if (auto [ec, n] = co_await net::async_write(s, http::make_chunk(net::buffer(c)), use_nothrow);
        ec) {
      ++stats.disconnects;
      co_return false;
    }
  }
  std::string tail = ndjson ? ndjson_chunk(model, b.chunks, true, d)
                            : sse_chunk(model, b.chunks, true, usage);
  if (!ndjson && usage) tail += usage_chunk(model, b.chunks);
  if (!ndjson) tail += "data: [DONE]\n\n";
  if (auto [ec, n] = co_await net::async_write(s, http::make_chunk(net::buffer(tail)), use_nothrow);
      ec)
    co_return false;
  if (auto [ec, n] = co_await net::async_write(s, http::make_chunk_last(), use_nothrow); ec)
    co_return false;
  ++stats.completed_streams;
  co_return keep;
}

std::string deployment_of(std::string_view target) {
  constexpr std::string_view marker = "/openai/deployments/";
  auto at = target.find(marker);
  if (at == std::string_view::npos) return {};
  auto rest = target.substr(at + marker.size());
  return std::string(rest.substr(0, rest.find('/')));
}

// Ollama's answer to a chat that offers tools: a call of the first one, as one line of a stream
// (then its end) or whole.
std::string ollama_tool_call(const std::string& model, const json::array& tools, bool stream) {
  std::string name = "tool";
  if (auto* f = tools.empty() || !tools[0].is_object() ? nullptr
                                                       : tools[0].as_object().if_contains("function");
      f && f->is_object() && f->as_object().contains("name"))
    name = std::string(f->as_object().at("name").as_string());
  json::object call{{"function", json::object{{"name", name},
                                              {"arguments", json::object{{"city", "Paris"}}}}}};
  json::object message{{"role", "assistant"}, {"content", ""},
                       {"tool_calls", json::array{call}}};
  json::object o{{"model", model}, {"message", message}, {"done", !stream}};
  if (!stream) return json::serialize(o);
  json::object last{{"model", model},
                    {"message", json::object{{"role", "assistant"}, {"content", ""}}},
                    {"done", true}, {"done_reason", "stop"}, {"eval_count", 5},
                    {"prompt_eval_count", 3}};
  return json::serialize(o) + "\n" + json::serialize(last) + "\n";
}

net::awaitable<bool> chat(beast::tcp_stream& s, http::request<http::string_body>& req,
                          dialect d) {
  bool ollama = d != dialect::openai;
  ++stats.chat_requests;
  auto ver = req.version();
  bool keep = req.keep_alive();
  boost::system::error_code ec;
  auto body = parse_deep(req.body(), ec);
  // Azure names the model in the path (/openai/deployments/{model}/...), not the body.
  auto deployment = deployment_of(req.target());
  if (ec || !body.is_object() ||
      (deployment.empty() && (!body.as_object().contains("model") ||
                              !body.as_object().at("model").is_string())))
    co_return co_await simple(s, ver, keep, http::status::bad_request,
                              openai_error("bad request body", 400));
  std::string model = deployment.empty() ? std::string(body.as_object().at("model").as_string())
                                         : deployment;
  stats.last_model = model;
  bool stream = ollama;
  if (auto* st = body.as_object().if_contains("stream"); st && st->is_bool())
    stream = st->as_bool();
  auto b = parse_behaviour(model);
  if (b.hangup_ms >= 0) {  // it received the request whole, and may have acted on it
    co_await wait_watching(s, b.hangup_ms);
    if (b.hangup_reset) s.socket().set_option(net::socket_base::linger(true, 0));
    s.socket().close();
    co_return false;
  }
  if (int wait = ttft_of(b); wait > 0 && !co_await wait_watching(s, wait)) {
    ++stats.disconnects;
    co_return false;
  }
  if (b.fail_percent > 0 && static_cast<int>(next_random() % 100) < b.fail_percent)
    b.error_status = 500;
  if (b.error_status) {
    http::response<http::string_body> res{static_cast<http::status>(b.error_status), ver};
    add_provider_headers(res);
    res.set(http::field::content_type, "application/json");
    if (b.retry_after >= 0) res.set(http::field::retry_after, std::to_string(b.retry_after));
    res.keep_alive(keep);
    res.body() = ollama ? ollama_error("fake upstream error")
                        : openai_error("fake upstream error", b.error_status);
    res.prepare_payload();
    co_return co_await write(s, res);
  }
  if (b.html_500)
    co_return co_await simple(
        s, ver, keep, http::status::internal_server_error,
        std::string("<html><body><h1>500 Internal Server Error</h1></body></html>"), "text/html");
  if (b.garbage)
    co_return co_await simple(s, ver, keep, http::status::ok,
                              std::string("this is not json at all"), "text/plain");
  if (b.empty) co_return co_await simple(s, ver, keep, http::status::ok, std::string());
  if (auto* tools = body.as_object().if_contains("tools");
      d == dialect::ollama_chat && tools && tools->is_array() && !tools->as_array().empty()) {
    std::string_view type = "application/json";  // named first: no ?: inside co_await (g++ 12)
    if (stream) type = "application/x-ndjson";
    co_return co_await simple(s, ver, keep, http::status::ok,
                              ollama_tool_call(model, tools->as_array(), stream), type);
  }
  bool usage = !ollama && wants_stream_usage(body);
  if (stream) co_return co_await stream_answer(s, ver, keep, model, b, d, usage);
  if (b.slow_body_ms > 0) co_return co_await slow_body(s, ver, keep, whole_answer(model, b.chunks, d), b.slow_body_ms);
  co_return co_await simple(s, ver, keep, http::status::ok, whole_answer(model, b.chunks, d));
}

std::string files_json(const http::request<http::string_body>& req) {
  auto target = std::string_view(req.target());
  auto q = target.find('?');
  return json::serialize(json::object{
      {"object", "list"},
      {"data", json::array{json::object{{"id", "file-fake"}}}},
      {"query", q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1))},
      {"auth", std::string(req[http::field::authorization])}});
}

std::string version_json() { return json::serialize(json::object{{"version", opts.version}}); }

std::string request_model(const std::string& body) {
  boost::system::error_code ec;
  auto v = parse_deep(body, ec);
  if (ec || !v.is_object()) return {};
  for (auto key : {"model", "name", "source"})
    if (auto* m = v.as_object().if_contains(key); m && m->is_string())
      return std::string(m->as_string());
  return {};
}

bool has_model(const std::string& m) {
  return std::find(opts.models.begin(), opts.models.end(), m) != opts.models.end();
}

// {"done_reason":"unload"} for a generate with keep_alive 0 and no prompt, else empty.
std::string unload_answer(const std::string& body) {
  boost::system::error_code ec;
  auto v = parse_deep(body, ec);
  if (ec || !v.is_object()) return {};
  auto* k = v.as_object().if_contains("keep_alive");
  if (!k || !k->is_number() || k->to_number<double>() != 0 || v.as_object().contains("prompt"))
    return {};
  return json::serialize(json::object{{"model", request_model(body)},
                                      {"response", ""},
                                      {"done", true},
                                      {"done_reason", "unload"}});
}

std::string ps_json() {
  json::array models;
  if (!opts.models.empty())
    models.push_back(json::object{{"name", opts.models.front()},
                                  {"model", opts.models.front()},
                                  {"size", 1000},
                                  {"digest", "sha256:fake"},
                                  {"details", json::object{}},
                                  {"expires_at", "2024-06-04T14:38:31.83753-07:00"},
                                  {"size_vram", 1000}});
  return json::serialize(json::object{{"models", models}});
}

// The answer to an Ollama request other than chat and generate, as (status, body, ndjson lines).
struct canned {
  http::status status = http::status::ok;
  std::string body;
  std::vector<std::string> lines;  // a streamed progress answer when not empty
};

canned ollama_answer(const std::string& path, const std::string& body, bool stream) {
  auto model = request_model(body);
  auto missing = [&] {
    return canned{http::status::not_found, ollama_error("model '" + model + "' not found"), {}};
  };
  auto progress = [&](std::vector<std::string> steps) {
    canned c;
    if (!stream) {
      c.body = json::serialize(json::object{{"status", "success"}});
      return c;
    }
    for (auto& st : steps) c.lines.push_back(json::serialize(json::object{{"status", st}}) + "\n");
    c.lines.push_back(json::serialize(json::object{{"status", "success"}}) + "\n");
    return c;
  };
  if (path == "/api/embed")
    return {http::status::ok,
            json::serialize(json::object{{"model", model},
                                         {"embeddings", json::array{json::array{0.1, 0.2, 0.3}}},
                                         {"prompt_eval_count", 4}}),
            {}};
  if (path == "/api/embeddings")
    return {http::status::ok,
            json::serialize(json::object{{"embedding", json::array{0.1, 0.2, 0.3}}}), {}};
  if (path == "/api/show") {
    if (!has_model(model)) return missing();
    return {http::status::ok,
            json::serialize(json::object{{"modelfile", "FROM " + model},
                                         {"parameters", ""},
                                         {"template", "{{ .Prompt }}"},
                                         {"details", json::object{{"family", opts.name}}},
                                         {"model_info", json::object{}}}),
            {}};
  }
  if (path == "/api/ps") return {http::status::ok, ps_json(), {}};
  if (path == "/api/pull" || path == "/api/create") {
    if (!model.empty() && !has_model(model)) opts.models.push_back(model);
    return progress({"pulling manifest", "verifying sha256 digest", "writing manifest"});
  }
  if (path == "/api/push") {
    if (!has_model(model)) return missing();
    return progress({"retrieving manifest", "pushing manifest"});
  }
  if (path == "/api/copy") {
    boost::system::error_code ec;
    auto v = parse_deep(body, ec);
    auto* dest = !ec && v.is_object() ? v.as_object().if_contains("destination") : nullptr;
    if (!has_model(model) || !dest || !dest->is_string()) return missing();
    opts.models.emplace_back(dest->as_string());
    return {http::status::ok, "", {}};
  }
  if (path == "/api/delete") {
    if (!has_model(model)) return missing();
    opts.models.erase(std::find(opts.models.begin(), opts.models.end(), model));
    return {http::status::ok, "", {}};
  }
  if (path == "/v1/completions")
    return {http::status::ok,
            json::serialize(json::object{
                {"id", "cmpl-fake"},
                {"object", "text_completion"},
                {"model", model},
                {"choices", json::array{json::object{{"index", 0}, {"text", opts.name + ":text"}}}}}),
            {}};
  return {http::status::not_found, ollama_error("no such route"), {}};
}

net::awaitable<bool> ollama_management(beast::tcp_stream& s, http::request<http::string_body>& req,
                                       const std::string& path) {
  auto ver = req.version();
  bool keep = req.keep_alive();
  bool stream = true;
  {
    boost::system::error_code ec;
    auto v = parse_deep(req.body(), ec);
    if (!ec && v.is_object())
      if (auto* st = v.as_object().if_contains("stream"); st && st->is_bool()) stream = st->as_bool();
  }
  auto b = parse_behaviour(request_model(req.body()));
  if (path == "/api/delete") ++stats.delete_requests;
  if (b.slow_ttft_ms > 0 && !co_await wait_watching(s, b.slow_ttft_ms)) {
    ++stats.disconnects;
    co_return false;
  }
  auto c = ollama_answer(path, req.body(), stream);
  if (c.lines.empty()) co_return co_await simple(s, ver, keep, c.status, std::move(c.body));
  http::response<http::empty_body> res{http::status::ok, ver};
  res.set(http::field::content_type, "application/x-ndjson");
  res.keep_alive(keep);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  if (auto [ec, n] = co_await http::async_write_header(s, sr, use_nothrow); ec) co_return false;
  for (auto& line : c.lines) {
    if (b.chunk_delay_ms > 0 && !co_await wait_watching(s, b.chunk_delay_ms)) {
      ++stats.disconnects;
      co_return false;
    }
    if (auto [ec, n] = co_await net::async_write(s, http::make_chunk(net::buffer(line)), use_nothrow);
        ec)
      co_return false;
  }
  if (auto [ec, n] = co_await net::async_write(s, http::make_chunk_last(), use_nothrow); ec)
    co_return false;
  ++stats.completed_streams;
  co_return keep;
}

// The embedding [0.1, 0.2, 0.3] as OpenAI sends it for encoding_format "base64" (the SDKs'
// default): little-endian float32s, base64-encoded.
std::string base64_embedding() {
  const float values[3] = {0.1f, 0.2f, 0.3f};
  unsigned char bytes[12];
  std::memcpy(bytes, values, sizeof bytes);
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (int i = 0; i < 12; i += 3) {
    unsigned n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int k = 18; k >= 0; k -= 6) out += alphabet[(n >> k) & 63];
  }
  return out;
}

// OpenAI's non-chat endpoints, as (status, body, content type); a streamed /responses answer is
// `lines` (SSE events) instead.
struct openai_canned {
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::string> events;
};

openai_canned openai_answer(const std::string& path, const std::string& body) {
  auto model = request_model(body);
  bool stream = false;
  boost::system::error_code ec;
  auto v = parse_deep(body, ec);
  if (!ec && v.is_object())
    if (auto* st = v.as_object().if_contains("stream"); st && st->is_bool()) stream = st->as_bool();
  openai_canned c;
  if (path.ends_with("/embeddings")) {
    bool base64 = false;
    if (!ec && v.is_object())
      if (auto* f = v.as_object().if_contains("encoding_format"); f && f->is_string())
        base64 = f->as_string() == "base64";
    json::value embedding = json::array{0.1, 0.2, 0.3};
    if (base64) embedding = base64_embedding();
    c.body = json::serialize(json::object{
        {"object", "list"},
        {"model", model},
        {"data", json::array{json::object{{"object", "embedding"}, {"index", 0}, {"embedding", embedding}}}},
        {"usage", json::object{{"prompt_tokens", 1}, {"total_tokens", 1}}}});
  } else if (path.ends_with("/audio/speech")) {
    c.body = "ID3" + opts.name + ":audio";
    c.content_type = "audio/mpeg";
  } else if (path.ends_with("/responses")) {
    auto text = opts.name + ":response";
    json::object message{
        {"type", "message"},
        {"id", "msg_fake"},
        {"status", "completed"},
        {"role", "assistant"},
        {"content", json::array{json::object{{"type", "output_text"}, {"text", text}, {"annotations", json::array{}}}}}};
    json::object response{{"id", "resp_fake"},  {"object", "response"}, {"created_at", 1700000000},
                          {"status", "completed"}, {"model", model},   {"output", json::array{message}},
                          {"usage", json::object{{"input_tokens", 7}, {"output_tokens", 3},
                                                 {"total_tokens", 10}}}};
    if (!stream) {
      c.body = json::serialize(response);
    } else {
      auto event = [&](const char* type, json::object o) {
        o["type"] = type;
        c.events.push_back(std::string("event: ") + type + "\ndata: " + json::serialize(o) + "\n\n");
      };
      auto created = response;
      created["status"] = "in_progress";
      created["output"] = json::array{};
      created["usage"] = nullptr;
      event("response.created", json::object{{"response", created}});
      for (int i = 0; i < 3; ++i)
        event("response.output_text.delta",
              json::object{{"item_id", "msg_fake"}, {"output_index", 0}, {"content_index", 0},
                           {"delta", opts.name + ":d" + std::to_string(i) + " "}});
      event("response.completed", json::object{{"response", response}});
    }
  } else {  // legacy completions
    c.body = json::serialize(json::object{
        {"id", "cmpl-fake"},
        {"object", "text_completion"},
        {"model", model},
        {"choices", json::array{json::object{{"index", 0}, {"text", opts.name + ":text"}, {"finish_reason", "stop"}}}},
        {"usage", json::object{{"prompt_tokens", 2}, {"completion_tokens", 1}, {"total_tokens", 3}}}});
  }
  return c;
}

net::awaitable<bool> openai_other(beast::tcp_stream& s, http::request<http::string_body>& req,
                                  const std::string& path) {
  auto ver = req.version();
  bool keep = req.keep_alive();
  auto c = openai_answer(path, req.body());
  if (c.events.empty())
    co_return co_await simple(s, ver, keep, http::status::ok, std::move(c.body), c.content_type);
  http::response<http::empty_body> res{http::status::ok, ver};
  res.set(http::field::content_type, "text/event-stream");
  res.keep_alive(keep);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  if (auto [ec, n] = co_await http::async_write_header(s, sr, use_nothrow); ec) co_return false;
  auto b = parse_behaviour(request_model(req.body()));
  for (std::size_t i = 0; i < c.events.size(); ++i) {
    if (b.reset_after == static_cast<int>(i)) {
      s.socket().set_option(net::socket_base::linger(true, 0));
      s.socket().close();
      co_return false;
    }
    if (auto [ec, n] = co_await net::async_write(s, http::make_chunk(net::buffer(c.events[i])),
                                                 use_nothrow);
        ec)
      co_return false;
  }
  if (auto [ec, n] = co_await net::async_write(s, http::make_chunk_last(), use_nothrow); ec)
    co_return false;
  ++stats.completed_streams;
  co_return keep;
}

net::awaitable<bool> handle(beast::tcp_stream& s, http::request<http::string_body>& req) {
  std::string path(req.target());
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  if (path == "/_behave" && req.method() == http::verb::post) {  // not counted: test control
    server_behaviour = req.body();
    co_return co_await simple(s, req.version(), req.keep_alive(), http::status::ok,
                              std::string("{}"));
  }
  ++stats.requests;
  if (path != "/_stats") {  // the target and key of any request, GETs included
    stats.last_target = std::string(req.target());
    stats.last_api_key = std::string(req["api-key"]);
  }
  if (req.method() != http::verb::get) {  // GETs (list refreshes) would hide the request asserted on
    stats.last_path = path;
    stats.last_method = std::string(req.method_string());
    stats.last_body = req.body();
    stats.last_auth = std::string(req[http::field::authorization]);
    stats.last_headers.clear();
    for (auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto& values = stats.last_headers[name];
      if (!values.is_array()) values = json::array();
      values.as_array().emplace_back(std::string(f.value()));
    }
  }
  auto ver = req.version();
  bool keep = req.keep_alive();
  if (path == "/_stats") {
    co_return co_await simple(s, ver, keep, http::status::ok, stats_json());
  }
  if (!opts.key.empty() && req[http::field::authorization] != "Bearer " + opts.key)
    co_return co_await simple(s, ver, keep, http::status::unauthorized,
                              openai_error("Incorrect API key provided", 401));
  if ((path.ends_with("/models") && req.method() == http::verb::get) || path == "/api/tags") {
    if (opts.list_delay_ms > 0 && !co_await wait_watching(s, opts.list_delay_ms)) co_return false;
    if (int st = parse_behaviour("").list_error; st > 0)
      co_return co_await simple(s, ver, keep, static_cast<http::status>(st),
                                openai_error("fake list error", st));
  }
  if (path.ends_with("/files") && req.method() == http::verb::get)  // echoes query and auth
    co_return co_await simple(s, ver, keep, http::status::ok, files_json(req));
  if (auto r = fake_pipelines::answer(req.method_string(), path, req.body(),
                                      req[http::field::content_type],
                                      req[http::field::authorization])) {
    if (r->delay_ms > 0 && !co_await wait_watching(s, r->delay_ms)) {
      ++stats.disconnects;
      co_return false;
    }
    co_return co_await simple(s, ver, keep, static_cast<http::status>(r->status),
                              std::move(r->body));
  }
  if (path.ends_with("/models") && req.method() == http::verb::get) {
    if (fake_pipelines::enabled() && !fake_pipelines::server_level())
      co_return co_await simple(s, ver, keep, http::status::ok, fake_pipelines::models_json());
    co_return co_await simple(s, ver, keep, http::status::ok, models_json());
  }
  if (path == "/api/tags") {
    co_return co_await simple(s, ver, keep, http::status::ok, tags_json());
  }
  if (path == "/api/version") ++stats.version_requests;
  if (path == "/api/version")
    co_return co_await simple(s, ver, keep, http::status::ok, version_json());
  if (path.ends_with("/chat/completions") && req.method() == http::verb::post)
    co_return co_await chat(s, req, dialect::openai);
  if (path == "/api/chat" && req.method() == http::verb::post)
    co_return co_await chat(s, req, dialect::ollama_chat);
  if (path == "/api/generate" && req.method() == http::verb::post) {
    if (auto r = unload_answer(req.body()); !r.empty())  // keep_alive 0: unload, no generation
      co_return co_await simple(s, ver, keep, http::status::ok, std::move(r));
    co_return co_await chat(s, req, dialect::ollama_generate);
  }
  if (path.starts_with("/api/") || path == "/v1/completions")
    co_return co_await ollama_management(s, req, path);
  if (req.method() == http::verb::post &&
      (path.ends_with("/embeddings") || path.ends_with("/completions") ||
       path.ends_with("/responses") || path.ends_with("/audio/speech")))
    co_return co_await openai_other(s, req, path);
  co_return co_await simple(s, ver, keep, http::status::not_found,
                            openai_error("no such route", 404));
}

net::awaitable<void> session(tcp::socket sock) {
  struct open_count {
    open_count() { ++stats.open_connections; }
    ~open_count() { --stats.open_connections; }
  } counted;
  beast::tcp_stream s(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> p;
    p.body_limit(256u << 20);
    auto [ec, n] = co_await http::async_read(s, buf, p, use_nothrow);
    if (ec) break;
    auto req = p.release();
    if (!co_await handle(s, req)) break;
  }
  boost::system::error_code ignored;
  s.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> listen(tcp::acceptor& a) {
  for (;;) {
    auto [ec, sock] = co_await a.async_accept(use_nothrow);
    if (ec) continue;
    sock.set_option(tcp::no_delay(true));
    net::co_spawn(a.get_executor(), session(std::move(sock)), net::detached);
  }
}

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--port")
      opts.port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--host")
      opts.host = v;
    else if (k == "--name")
      opts.name = v;
    else if (k == "--key")
      opts.key = v;
    else if (k == "--list-delay")
      opts.list_delay_ms = std::stoi(v);
    else if (k == "--behave")
      server_behaviour = v;
    else if (k == "--pipelines") {
      if (!fake_pipelines::configure(v)) {
        std::fprintf(stderr, "--pipelines: not a JSON array of pipelines\n");
        return 2;
      }
    } else if (k == "--server-filters")
      fake_pipelines::serve_server_level_filters();
    else if (k == "--version")
      opts.version = v;
    else if (k == "--models") {
      opts.models.clear();
      std::size_t start = 0;
      while (start <= v.size()) {
        auto end = v.find(',', start);
        opts.models.push_back(
            v.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  net::io_context ioc(1);
  tcp::acceptor a(ioc);
  tcp::endpoint ep(net::ip::make_address(opts.host), opts.port);
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(1024);
  std::printf("PORT %u\n", a.local_endpoint().port());
  std::fflush(stdout);
  net::co_spawn(ioc, listen(a), net::detached);
  net::signal_set sigs(ioc, SIGTERM, SIGINT);
  sigs.async_wait([&](auto, int) { ioc.stop(); });
  ioc.run();
  return 0;
}
