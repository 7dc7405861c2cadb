// canned_upstream: an LLM upstream cheap enough that a proxy's own cost dominates a benchmark.
// One thread, epoll, keep-alive HTTP/1.1, answers made once at start and sent as they are:
//
//   GET  /v1/models, /api/tags                 the model list (OpenAI's, Ollama's)
//   POST /v1/chat/completions                  a chat completion (~330 B), or with "stream":true
//                                              20 SSE events, then a usage chunk and [DONE]
//   POST /api/chat                             Ollama's: 20 NDJSON lines, or one JSON object
//                                              with "stream":false
//
// A stream goes in one write, or for the model "bench-split" in one write per event (what a
// real upstream generating tokens does); for "bench-hold" its first event only, the stream then
// held open until the client leaves (memory per open stream). The request body is only searched for those two
// words, never parsed: the point is to cost nothing.
//
// usage: canned_upstream [--port N]   (prints "PORT <n>" once listening)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr int events_per_stream = 20;
constexpr std::size_t max_request = 1 << 20;

std::string head(std::string_view type, std::size_t length) {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(type) +
         "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

std::string whole(std::string_view type, std::string_view body) {
  return head(type, body.size()) + std::string(body);
}

const char* stream_head(std::string_view type) {
  return type == "sse" ? "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n"
                       : "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n";
}

// Every answer, made once: a stream as the pieces that are written one by one when split.
struct answers {
  std::string models, tags, chat, ollama_chat, not_found;
  std::vector<std::string> sse, ndjson;  // head + first piece, ..., last piece + end
  std::string sse_whole, ndjson_whole;   // the same in one piece

  answers() {
    models = whole("application/json",
                   R"({"object":"list","data":[{"id":"bench","object":"model","created":1,)"
                   R"("owned_by":"canned"},{"id":"bench-split","object":"model","created":1,)"
                   R"("owned_by":"canned"},{"id":"bench-hold","object":"model","created":1,)"
                   R"("owned_by":"canned"}]})");
    tags = whole("application/json",
                 R"({"models":[{"name":"bench","model":"bench","size":1,"digest":"d",)"
                 R"("details":{}},{"name":"bench-split","model":"bench-split","size":1,)"
                 R"("digest":"d","details":{}}]})");
    chat = whole("application/json",
                 R"({"id":"chatcmpl-canned","object":"chat.completion","created":1700000000,)"
                 R"("model":"bench","choices":[{"index":0,"message":{"role":"assistant",)"
                 R"("content":"Hello there, this is a canned answer of a few tokens."},)"
                 R"("finish_reason":"stop"}],"usage":{"prompt_tokens":12,)"
                 R"("completion_tokens":20,"total_tokens":32}})");
    ollama_chat = whole("application/json",
                        R"({"model":"bench","created_at":"2024-01-01T00:00:00Z","message":)"
                        R"({"role":"assistant","content":"Hello there."},"done":true,)"
                        R"("done_reason":"stop","prompt_eval_count":12,"eval_count":20})");
    not_found = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                "Content-Length: 21\r\n\r\n{\"error\":\"not found\"}";
    for (int i = 0; i < events_per_stream; ++i) {
      sse.push_back(chunk(
          R"(data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1700000000,)"
          R"("model":"bench","choices":[{"index":0,"delta":{"content":"tok )" +
          std::to_string(i) + R"("},"finish_reason":null}]})" + "\n\n"));
      ndjson.push_back(chunk(R"({"model":"bench","created_at":"2024-01-01T00:00:00Z",)"
                             R"("message":{"role":"assistant","content":"tok )" +
                             std::to_string(i) + R"("},"done":false})" + "\n"));
    }
    sse.push_back(chunk(
        R"(data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1700000000,)"
        R"("model":"bench","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":20,)"
        R"("total_tokens":32}})" "\n\ndata: [DONE]\n\n") + "0\r\n\r\n");
    ndjson.push_back(chunk(R"({"model":"bench","created_at":"2024-01-01T00:00:00Z",)"
                           R"("message":{"role":"assistant","content":""},"done":true,)"
                           R"("done_reason":"stop","prompt_eval_count":12,"eval_count":20})"
                           "\n") + "0\r\n\r\n");
    sse.front().insert(0, stream_head("sse"));
    ndjson.front().insert(0, stream_head("ndjson"));
    for (auto& p : sse) sse_whole += p;
    for (auto& p : ndjson) ndjson_whole += p;
  }
};

struct connection {
  std::string in;
};

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {  // the client reads slowly: wait
      pollfd p{fd, POLLOUT, 0};  // (select cannot take a descriptor past 1023)
      ::poll(&p, 1, -1);
      continue;
    }
    return;  // gone
  }
}

// The length of a request's body, from its head (no body without Content-Length).
std::size_t body_length(std::string_view head) {
  for (std::string_view name : {"Content-Length:", "content-length:"}) {
    auto at = head.find(name);
    if (at != std::string_view::npos) return std::strtoul(head.data() + at + name.size(), nullptr, 10);
  }
  return 0;
}

void answer(int fd, std::string_view request, const answers& a) {
  auto line_end = request.find("\r\n");
  auto line = request.substr(0, line_end);
  bool post = line.starts_with("POST ");
  auto path = line.substr(post ? 5 : 4);
  path = path.substr(0, path.find(' '));
  bool stream = request.find("\"stream\":true") != std::string_view::npos ||
                request.find("\"stream\": true") != std::string_view::npos;
  bool split = request.find("bench-split") != std::string_view::npos;
  bool hold = request.find("bench-hold") != std::string_view::npos;
  if (!post && path == "/v1/models") return send_all(fd, a.models);
  if (!post && path == "/api/tags") return send_all(fd, a.tags);
  if (post && path == "/v1/chat/completions") {
    if (!stream) return send_all(fd, a.chat);
    if (hold) return send_all(fd, a.sse.front());
    if (!split) return send_all(fd, a.sse_whole);
    for (auto& piece : a.sse) send_all(fd, piece);
    return;
  }
  if (post && path == "/api/chat") {
    bool whole = request.find("\"stream\":false") != std::string_view::npos;
    if (whole) return send_all(fd, a.ollama_chat);
    if (!split) return send_all(fd, a.ndjson_whole);
    for (auto& piece : a.ndjson) send_all(fd, piece);
    return;
  }
  send_all(fd, a.not_found);
}

// Answers every whole request `c` holds; false when the connection is to be closed.
bool serve(int fd, connection& c, const answers& a) {
  for (;;) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return c.in.size() < max_request;
    auto length = body_length(std::string_view(c.in).substr(0, end));
    if (length > max_request) return false;
    auto total = end + 4 + length;
    if (c.in.size() < total) return true;
    answer(fd, std::string_view(c.in).substr(0, total), a);
    c.in.erase(0, total);
  }
}

int listen_on(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1024) != 0) {
    std::perror("canned_upstream: listen");
    std::exit(1);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("PORT %u\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--port") port = static_cast<unsigned short>(std::atoi(argv[++i]));
  const answers a;
  int listener = listen_on(port);
  int ep = ::epoll_create1(0);
  epoll_event ev{EPOLLIN, {.fd = listener}};
  ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, connection> conns;
  std::vector<epoll_event> ready(256);
  char buf[65536];
  for (;;) {
    int n = ::epoll_wait(ep, ready.data(), static_cast<int>(ready.size()), -1);
    for (int i = 0; i < n; ++i) {
      int fd = ready[i].data.fd;
      if (fd == listener) {
        for (int c; (c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          int one = 1;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{EPOLLIN, {.fd = c}};
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          conns[c];
        }
        continue;
      }
      auto& c = conns[fd];
      auto got = ::recv(fd, buf, sizeof buf, 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got > 0) c.in.append(buf, static_cast<std::size_t>(got));
      if (got <= 0 || !serve(fd, c, a)) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        conns.erase(fd);
      }
    }
  }
}
