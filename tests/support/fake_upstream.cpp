// fake_upstream: a programmable LLM provider for integration tests and benchmarks. It speaks the
// OpenAI wire format (GET */models, POST */chat/completions, SSE) and Ollama's (GET /api/tags,
// GET /api/version, POST /api/chat NDJSON). Behaviour is chosen per request by tokens in the model
// name, joined with '+':
//   ok (default)      answer normally; chunks:<n> content chunks (default 5), chunk_delay:<ms>
//   slow_ttft:<ms>    wait before the response headers
//   stall_after:<n>   send n chunks, then nothing until the client leaves
//   reset_after:<n>   send n chunks, then reset the connection
//   garbage           200 with a body that is not JSON
//   html_500          500 with an HTML page
//   error:<code>      an OpenAI-shaped JSON error with that status
// GET /_stats answers counters the tests assert on (requests, disconnects seen, last model).
//
// usage: fake_upstream [--port N] [--models a,b] [--name NAME] [--key KEY] [--host ADDR]
//                      [--list-delay MS]
// Prints "PORT <n>" on stdout once listening.
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

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
};

struct counters {
  std::uint64_t requests = 0;
  std::uint64_t chat_requests = 0;
  std::uint64_t disconnects = 0;  // clients that left while a response was pending or streaming
  std::uint64_t completed_streams = 0;
  std::uint64_t stalled = 0;  // streams that reached their stall_after point
  std::string last_model;
  std::string last_path;
};

options opts;
counters stats;

struct behaviour {
  int chunks = 5;
  int chunk_delay_ms = 0;
  int slow_ttft_ms = 0;
  int stall_after = -1;
  int reset_after = -1;
  bool garbage = false;
  bool html_500 = false;
  int error_status = 0;
};

behaviour parse_behaviour(std::string_view model) {
  behaviour b;
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
    else if (tok == "garbage")
      b.garbage = true;
    else if (tok == "html_500")
      b.html_500 = true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return b;
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

template <class Body>
net::awaitable<bool> write(beast::tcp_stream& s, http::response<Body>& res) {
  auto [ec, n] = co_await http::async_write(s, res, use_nothrow);
  co_return !ec;
}

net::awaitable<bool> simple(beast::tcp_stream& s, unsigned ver, bool keep, http::status st,
                            std::string body, std::string_view ct = "application/json") {
  http::response<http::string_body> res{st, ver};
  res.set(http::field::content_type, ct);
  res.keep_alive(keep);
  res.body() = std::move(body);
  res.prepare_payload();
  co_return co_await write(s, res);
}

std::string sse_chunk(const std::string& model, int i, bool last) {
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
  return "data: " + json::serialize(o) + "\n\n";
}

std::string ndjson_chunk(const std::string& model, int i, bool last) {
  json::object o{
      {"model", model},
      {"created_at", "2024-01-01T00:00:00Z"},
      {"message",
       json::object{{"role", "assistant"},
                    {"content", last ? "" : opts.name + ":tok" + std::to_string(i) + " "}}},
      {"done", last}};
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
                 {"disconnects", stats.disconnects},
                 {"completed_streams", stats.completed_streams},
                 {"stalled", stats.stalled},
                 {"last_model", stats.last_model}};
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

std::string whole_answer(const std::string& model, int chunks, bool ollama) {
  std::string content;
  for (int i = 0; i < chunks; ++i) content += opts.name + ":tok" + std::to_string(i) + " ";
  json::object o;
  if (ollama) {
    o = {{"model", model},
         {"message", json::object{{"role", "assistant"}, {"content", content}}},
         {"done", true}};
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
                                   const std::string& model, const behaviour& b, bool ndjson) {
  http::response<http::empty_body> res{http::status::ok, ver};
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
    auto c = ndjson ? ndjson_chunk(model, i, false) : sse_chunk(model, i, false);
    if (auto [ec, n] = co_await net::async_write(s, http::make_chunk(net::buffer(c)), use_nothrow);
        ec) {
      ++stats.disconnects;
      co_return false;
    }
  }
  std::string tail = ndjson ? ndjson_chunk(model, b.chunks, true)
                            : sse_chunk(model, b.chunks, true) + "data: [DONE]\n\n";
  if (auto [ec, n] = co_await net::async_write(s, http::make_chunk(net::buffer(tail)), use_nothrow);
      ec)
    co_return false;
  if (auto [ec, n] = co_await net::async_write(s, http::make_chunk_last(), use_nothrow); ec)
    co_return false;
  ++stats.completed_streams;
  co_return keep;
}

net::awaitable<bool> chat(beast::tcp_stream& s, http::request<http::string_body>& req,
                          bool ollama) {
  ++stats.chat_requests;
  auto ver = req.version();
  bool keep = req.keep_alive();
  boost::system::error_code ec;
  auto body = json::parse(req.body(), ec);
  if (ec || !body.is_object() || !body.as_object().contains("model") ||
      !body.as_object().at("model").is_string())
    co_return co_await simple(s, ver, keep, http::status::bad_request,
                              openai_error("bad request body", 400));
  std::string model(body.as_object().at("model").as_string());
  stats.last_model = model;
  bool stream = ollama;
  if (auto* st = body.as_object().if_contains("stream"); st && st->is_bool())
    stream = st->as_bool();
  auto b = parse_behaviour(model);
  if (b.slow_ttft_ms > 0 && !co_await wait_watching(s, b.slow_ttft_ms)) {
    ++stats.disconnects;
    co_return false;
  }
  if (b.error_status)
    co_return co_await simple(s, ver, keep, static_cast<http::status>(b.error_status),
                              openai_error("fake upstream error", b.error_status));
  if (b.html_500)
    co_return co_await simple(
        s, ver, keep, http::status::internal_server_error,
        std::string("<html><body><h1>500 Internal Server Error</h1></body></html>"), "text/html");
  if (b.garbage)
    co_return co_await simple(s, ver, keep, http::status::ok,
                              std::string("this is not json at all"), "text/plain");
  if (stream) co_return co_await stream_answer(s, ver, keep, model, b, ollama);
  co_return co_await simple(s, ver, keep, http::status::ok, whole_answer(model, b.chunks, ollama));
}

net::awaitable<bool> handle(beast::tcp_stream& s, http::request<http::string_body>& req) {
  ++stats.requests;
  std::string path(req.target());
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  stats.last_path = path;
  auto ver = req.version();
  bool keep = req.keep_alive();
  if (path == "/_stats") {
    co_return co_await simple(s, ver, keep, http::status::ok, stats_json());
  }
  if (!opts.key.empty() && req[http::field::authorization] != "Bearer " + opts.key)
    co_return co_await simple(s, ver, keep, http::status::unauthorized,
                              openai_error("Incorrect API key provided", 401));
  if ((path.ends_with("/models") && req.method() == http::verb::get) || path == "/api/tags")
    if (opts.list_delay_ms > 0 && !co_await wait_watching(s, opts.list_delay_ms)) co_return false;
  if (path.ends_with("/models") && req.method() == http::verb::get) {
    co_return co_await simple(s, ver, keep, http::status::ok, models_json());
  }
  if (path == "/api/tags") {
    co_return co_await simple(s, ver, keep, http::status::ok, tags_json());
  }
  if (path == "/api/version")
    co_return co_await simple(s, ver, keep, http::status::ok,
                              std::string(R"({"version":"0.5.7"})"));
  if (path.ends_with("/chat/completions") && req.method() == http::verb::post)
    co_return co_await chat(s, req, false);
  if (path == "/api/chat" && req.method() == http::verb::post)
    co_return co_await chat(s, req, true);
  co_return co_await simple(s, ver, keep, http::status::not_found,
                            openai_error("no such route", 404));
}

net::awaitable<void> session(tcp::socket sock) {
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
