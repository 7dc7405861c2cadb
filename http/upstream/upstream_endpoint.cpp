#include "http/upstream/upstream_endpoint.hpp"

#include "http/upstream/providers/provider_adapter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/evp.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <boost/beast/core/string.hpp>
#include <charconv>
#include <boost/url/pct_string_view.hpp>

#include "config/secret_fields.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_address_policy.hpp"

namespace sb {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {
constexpr std::size_t max_idle_per_shard = 256;
constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);


}  // namespace



std::shared_ptr<upstream_endpoint> make_upstream_endpoint(const connection_spec& spec, runtime& rt,
                                                          std::string& why) {
  auto target = parse_upstream_url(spec.url, why);
  if (!target) return nullptr;
  why = refused_upstream_host(target->host, rt.cfg.allow_link_local_upstreams);
  if (!why.empty()) return nullptr;
  why = unsupported_auth(spec);
  if (!why.empty()) return nullptr;
  if (spec.azure)
    for (auto& id : spec.model_ids)
      if (id == "." || id == "..") {
        why = "model id \"" + id + "\" cannot name an Azure deployment";
        return nullptr;
      }
  return std::make_shared<upstream_endpoint>(spec, std::move(*target), rt);
}

upstream_endpoint::upstream_endpoint(connection_spec spec, upstream_target target, runtime& rt)
    : spec_(std::move(spec)),
      settings_(std::make_shared<const connection_spec>(spec_)),
      official_openai_(is_official_openai(spec_)),
      target_(std::move(target)),
      rt_(rt),
      adapter_(adapter_for(spec_)),
      custom_headers_(spec_.headers),
      shards_(rt.io.size()) {
  allow_link_local_ = rt.cfg.allow_link_local_upstreams;
  if (!spec_.api_key.empty()) secrets_.push_back(spec_.api_key.reveal());
  for (auto& [name, value] : spec_.headers)
    if (secret_header_name(name)) {
      secrets_.push_back(value);
      // "Bearer abc...": the credential alone is quoted back as often as the whole value.
      if (auto sp = value.find_last_of(' '); sp != std::string::npos && value.size() - sp > 8)
        secrets_.push_back(value.substr(sp + 1));
    }
  for (auto& x : url_secrets(spec_.url)) secrets_.push_back(std::move(x));
  // The connection's own headers (never framing ones: connection_specs drops those) are merged
  // last and replace same-named ones: with {"Authorization": ...} configured the upstream gets
  // that one, not two.
  auto custom = [&](std::string_view header) {
    for (auto& [name, value] : spec_.headers)
      if (beast::iequals(name, header)) return true;
    return false;
  };
  custom_auth_ = custom("authorization");
  custom_content_type_ = custom("content-type");
  custom_accept_ = custom("accept");
  if (rt.cfg.forward_user_info) {
    auto& names = rt.cfg.user_info_headers;
    for (auto [name, field, quoted] :
         {forwarded_header{names.user_name, &caller_identity::user_name, true},
          forwarded_header{names.user_id, &caller_identity::user_id, false},
          forwarded_header{names.user_email, &caller_identity::user_email, false},
          forwarded_header{names.user_role, &caller_identity::user_role, false},
          forwarded_header{names.chat_id, &caller_identity::chat_id, false},
          forwarded_header{names.message_id, &caller_identity::message_id, false}})
      if (!custom(name)) forwarded_.push_back({name + ": ", field, quoted});
  }
  callers_credentials_ = spec_.auth == auth_type::session && !custom_auth_;
  needs_caller_ = (spec_.auth == auth_type::session && !custom_auth_) ||
                  custom_headers_.per_request() || rt.cfg.forward_user_info;
  rendered_headers_ = "Host: " + target_.host_header + "\r\n";
  for (auto& [name, value] : adapter_.etiquette_headers(target_.host)) {
    bool replaced = false;
    for (auto& [own, v] : spec_.headers) replaced |= beast::iequals(own, name);
    if (!replaced) rendered_headers_ += name + ": " + value + "\r\n";
  }
  if (!custom_auth_ && spec_.auth != auth_type::session) {  // session: the caller's, per request
    if (auto auth = adapter_.auth_headers(spec_); !auth.empty()) {
      rendered_headers_ += auth;
    } else if (!target_.userinfo.empty()) {
      // http://user:password@host/ means Basic authentication, as aiohttp (Open WebUI) reads it.
      auto user = boost::urls::pct_string_view(target_.userinfo).decode();
      std::string b64(4 * ((user.size() + 2) / 3) + 1, '\0');
      b64.resize(static_cast<std::size_t>(
          ::EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                            reinterpret_cast<const unsigned char*>(user.data()),
                            static_cast<int>(user.size()))));
      rendered_headers_ += "Authorization: Basic " + b64 + "\r\n";
    }
  }
}

std::string upstream_endpoint::request_head(http::verb method, std::string_view path,
                                            std::string_view content_type, std::string_view accept,
                                            std::size_t content_length,
                                            const caller_identity* caller) const {
  // Rendered by hand: Beast's serializer costs several microseconds per request in
  // buffer-sequence iteration that a fixed head does not need.
  std::string head;
  head.reserve(192 + rendered_headers_.size() + custom_headers_.size_hint());
  head += http::to_string(method);
  head += ' ';
  head += target_.base_path;
  head += path;
  if (!target_.query.empty()) {
    head += path.find('?') == std::string_view::npos ? '?' : '&';
    head += target_.query;
  }
  head += " HTTP/1.1\r\n";
  head += rendered_headers_;
  if (spec_.auth == auth_type::session && !custom_auth_ && caller &&
      !caller->authorization.empty()) {
    head += "Authorization: ";
    head += caller->authorization;
    head += "\r\n";
  }
  if (caller)
    for (auto& f : forwarded_) {
      auto& value = caller->*f.value;
      if (value.empty()) continue;  // no chat id: no chat-id header, as Open WebUI
      head += f.prefix;
      head += f.quoted ? quote_header_value(value) : strip_control_bytes(value);
      head += "\r\n";
    }
  if (custom_content_type_) content_type = {};
  if (custom_accept_) accept = {};
  if (!content_type.empty()) {
    head += "Content-Type: ";
    head += content_type;
    head += "\r\n";
  }
  if (!accept.empty()) {
    head += "Accept: ";
    head += accept;
    head += "\r\n";
  }
  if (method != http::verb::get || content_length > 0) {
    head += "Content-Length: ";
    head += std::to_string(content_length);
    head += "\r\n";
  }
  if (!custom_headers_.empty()) custom_headers_.render(head, caller);
  head += "\r\n";
  return head;
}

upstream_endpoint::~upstream_endpoint() {
  // Idle connections belong to their I/O threads: close each on its own thread.
  for (unsigned i = 0; i < shards_.size(); ++i) {
    if (shards_[i].idle.empty()) continue;
    auto conns = std::make_shared<std::vector<std::unique_ptr<upstream_connection>>>(
        std::move(shards_[i].idle));
    net::post(rt_.io.context(i), [conns] { conns->clear(); });
  }
}

connection_load& upstream_endpoint::load_here() {
  int i = io_pool::current_index();
  if (i < 0 || static_cast<std::size_t>(i) >= shards_.size()) return spare_load_;
  return shards_[static_cast<std::size_t>(i)].load;
}

void upstream_endpoint::set_outcome_sink(std::function<void(outcome_batch)> sink) {
  outcome_sink_ = std::move(sink);
  has_sink_.store(true, std::memory_order_release);
}

void upstream_endpoint::report(outcome_batch b) const {
  if (has_sink_.load(std::memory_order_acquire)) outcome_sink_(b);
}

std::unique_ptr<upstream_connection> upstream_endpoint::take_idle() {
  int i = io_pool::current_index();
  if (i < 0 || static_cast<std::size_t>(i) >= shards_.size()) return nullptr;
  auto& idle = shards_[static_cast<std::size_t>(i)].idle;
  while (!idle.empty()) {
    auto c = std::move(idle.back());
    idle.pop_back();
    stats_.idle.fetch_sub(1, std::memory_order_relaxed);
    // One non-blocking peek: nothing may be readable on a connection that has no request
    // outstanding. Bytes mean an unsolicited or late answer that would be taken for the next
    // caller's; EOF or an error means the upstream closed it. This is one system call per reuse
    // (the gateway's only added one per request). An idle read kept outstanding in the pool was
    // tried instead: Asio starts it with a speculative recv (as costly), and async_wait costs an
    // epoll_ctl; Asio does not expose the readiness epoll already reported.
    char probe;
    int fd = std::visit([](auto& s) { return beast::get_lowest_layer(s).socket().native_handle(); },
                        c->stream);
    auto n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    // Over TLS, bytes may already sit decrypted or undecrypted in OpenSSL rather than the socket.
    bool tls_pending = false;
    if (auto* tls = std::get_if<tls_stream>(&c->stream)) {
      auto* ssl = tls->native_handle();
      tls_pending = ::SSL_has_pending(ssl) || ::BIO_ctrl_pending(::SSL_get_rbio(ssl)) > 0;
    }
    if (!tls_pending && n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      stats_.in_use.fetch_add(1, std::memory_order_relaxed);
      stats_.reused.fetch_add(1, std::memory_order_relaxed);
      return c;
    }
    stats_.pool_discards.fetch_add(1, std::memory_order_relaxed);
  }
  return nullptr;
}

void upstream_endpoint::release(std::unique_ptr<upstream_connection> c, bool reusable) {
  if (!c) return;
  c->home.check("an upstream connection released off the I/O thread that opened it");
  stats_.in_use.fetch_sub(1, std::memory_order_relaxed);
  int i = io_pool::current_index();
  if (!reusable || i < 0 || static_cast<std::size_t>(i) >= shards_.size() || c->buffer.size() != 0)
    return;  // closed by unique_ptr
  auto& idle = shards_[static_cast<std::size_t>(i)].idle;
  if (idle.size() >= max_idle_per_shard) return;
  std::visit([](auto& s) { beast::get_lowest_layer(s).expires_never(); }, c->stream);
  idle.push_back(std::move(c));
  stats_.idle.fetch_add(1, std::memory_order_relaxed);
}

namespace {

// Publishes the socket being connected to the caller for as long as connect() runs.
struct published_socket {
  upstream_cancel* cancel;
  void set(beast::tcp_stream* s) {
    if (cancel) cancel->current = s;
  }
  bool cancelled() const { return cancel && cancel->requested; }
  ~published_socket() { set(nullptr); }
};

}  // namespace

net::awaitable<std::unique_ptr<upstream_connection>> upstream_endpoint::connect(
    boost::system::error_code& ec, upstream_cancel* cancel) {
  auto ex = co_await net::this_coro::executor;
  stats_.connects.fetch_add(1, std::memory_order_relaxed);
  published_socket published{cancel};
  tcp::resolver resolver(ex);
  auto [rec, resolved] = co_await resolver.async_resolve(target_.host, target_.port, use_nothrow);
  if (rec) {
    ec = rec;
    stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    co_return nullptr;
  }
  // A name may resolve to a metadata address (or be made to: DNS rebinding); check what is
  // actually connected to, not only what the admin typed.
  std::vector<tcp::endpoint> allowed;
  for (auto& r : resolved)
    if (allow_link_local_ || forbidden_upstream_address(r.endpoint().address()).empty())
      allowed.push_back(r.endpoint());
  if (published.cancelled()) {
    ec = net::error::operation_aborted;
    co_return nullptr;
  }
  if (allowed.empty()) {
    ec = net::error::access_denied;
    stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    co_return nullptr;
  }
  beast::tcp_stream tcp_s(ex);
  published.set(&tcp_s);
  tcp_s.expires_after(rt_.cfg.upstream_connect_timeout);
  auto [cec, ep] = co_await tcp_s.async_connect(allowed, use_nothrow);
  if (cec) {
    ec = cec;
    stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    co_return nullptr;
  }
  tcp_s.socket().set_option(tcp::no_delay(true));
  std::unique_ptr<upstream_connection> conn;
  if (!target_.tls) {
    conn = std::make_unique<upstream_connection>(std::move(tcp_s));
  } else {
    tls_stream s(std::move(tcp_s), rt_.tls_client);
    published.set(&beast::get_lowest_layer(s));
    if (!SSL_set_tlsext_host_name(s.native_handle(), target_.host.c_str())) {
      ec = boost::system::error_code(static_cast<int>(::ERR_get_error()),
                                     net::error::get_ssl_category());
      stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
      co_return nullptr;
    }
    if (rt_.cfg.verify_tls) s.set_verify_callback(net::ssl::host_name_verification(target_.host));
    auto [hec] = co_await s.async_handshake(net::ssl::stream_base::client, use_nothrow);
    if (hec) {
      ec = hec;
      stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
      co_return nullptr;
    }
    conn = std::make_unique<upstream_connection>(std::move(s));
  }
  // Later operations are timed by the session's op_deadline, not by this connect timeout.
  std::visit([](auto& s) { beast::get_lowest_layer(s).expires_never(); }, conn->stream);
  stats_.in_use.fetch_add(1, std::memory_order_relaxed);
  ec = {};
  co_return conn;
}

}  // namespace sb
