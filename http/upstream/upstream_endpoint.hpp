#pragma once
// The data plane of one configured connection: where it is, how to authenticate, its keep-alive
// connection pool (one shard per I/O thread, so taking and returning a connection never locks or
// crosses threads), its health flag and its counters. Created and owned by the connection's
// upstream_actor; the catalog snapshot points routes straight at it.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/connection_spec.hpp"
#include "http/server/metrics.hpp"
#include "http/server/thread_affinity.hpp"
#include "http/upstream/caller_identity.hpp"
#include "http/upstream/connection_load.hpp"
#include "messages/snapshot_cell.hpp"
#include "http/upstream/header_template.hpp"
#include "http/upstream/model_throttles.hpp"
#include "http/upstream/upstream_url.hpp"

namespace sb {

struct runtime;
class provider_adapter;



/// Lets a caller abandon upstream work from a callback on the same I/O thread (its client left):
/// whoever does socket work for it points `current` at the socket for the operation's duration,
/// and checks `requested` between operations.
struct upstream_cancel {
  bool requested = false;      // the client left
  bool shutting_down = false;  // the gateway's drain deadline passed
  boost::beast::tcp_stream* current = nullptr;
  void request() {
    requested = true;
    if (current) current->cancel();
  }
  void shut_down() {
    shutting_down = true;
    if (current) current->cancel();
  }
};

/// What an upstream answer head with status `code` is, the `seen`-th interim one in a row (from
/// 0): the final answer, an interim one to skip until the final one (RFC 9110 §15.2; left unread
/// it would stay on the connection for the next caller), or one to refuse (101 switches
/// protocols, never asked for; an endless run of 1xx is a loop).
enum class head_kind { final, interim, refused };
inline head_kind classify_head(unsigned code, int seen) {
  if (code >= 200) return head_kind::final;
  if (code == 101 || code < 100 || seen >= 16) return head_kind::refused;
  return head_kind::interim;
}

/// How soon after a request went out on a pooled connection its failure, before any byte of
/// answer, is taken for the keep-alive race (the upstream closed the idle connection as the
/// request went out, so never read it): the one case where a request that may change something
/// is sent again. Later, the upstream may have read it and acted on it.
inline constexpr std::chrono::milliseconds keepalive_race_window{100};

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// One keep-alive connection to the upstream and the bytes read ahead on it.
struct upstream_connection {
  explicit upstream_connection(plain_stream s) : stream(std::move(s)) {}
  explicit upstream_connection(tls_stream s) : stream(std::move(s)) {}
  std::variant<plain_stream, tls_stream> stream;
  boost::beast::flat_buffer buffer;
  // Its socket belongs to the I/O thread that opened it: it is pooled, and used, there only.
  [[no_unique_address]] home_thread home;
};

class upstream_endpoint;

/// The endpoint of `spec`, or null and `why` when its URL is invalid, its host refused
/// (link-local and metadata addresses) or its auth_type cannot be honoured.
std::shared_ptr<upstream_endpoint> make_upstream_endpoint(const connection_spec& spec, runtime& rt,
                                                          std::string& why);

class upstream_endpoint {
 public:
  upstream_endpoint(connection_spec spec, upstream_target target, runtime& rt);
  ~upstream_endpoint();
  upstream_endpoint(const upstream_endpoint&) = delete;
  upstream_endpoint& operator=(const upstream_endpoint&) = delete;

  /// Its provider family and where it is listed now (urlIdx): the index moves when a connection
  /// before it is removed, the endpoint staying the same.
  upstream_key key() const { return settings_.load()->key; }
  /// Its stable connection id: fixed for the endpoint.
  const std::string& id() const { return spec_.id; }
  /// Whether it is an Azure OpenAI resource, and whether its URL names api.openai.com: fixed
  /// (what decides the body rules of a request).
  bool azure() const { return spec_.azure; }
  bool official_openai() const { return official_openai_; }
  /// Its URL as configured: fixed.
  const std::string& target_url() const { return spec_.url; }
  /// The connection's settings now, the one place to read them: what defines the connection
  /// (URL, credentials, auth, Azure settings, headers: a change to any makes a new endpoint) and
  /// what its actor may change in place (prefix_id, model_ids, tags, connection_type, weight,
  /// priority).
  std::shared_ptr<const connection_spec> settings() const { return settings_.load(); }
  /// Called by the connection's actor when only those in-place settings changed.
  void publish_settings(const connection_spec& s) {
    settings_.publish(std::make_shared<const connection_spec>(s));
  }
  const upstream_target& target() const { return target_; }
  upstream_stats& stats() { return stats_; }
  runtime& rt() { return rt_; }
  /// What differs for this connection's provider family.
  const provider_adapter& adapter() const { return adapter_; }

  /// Whether routing should pick this connection now: its actor says it is healthy, and no
  /// request just failed to connect to it. (A model it answered 429 for: throttle_left.)
  bool healthy() const {
    if (health_.load(std::memory_order_relaxed) != connection_health::healthy) return false;
    return !cooling();
  }
  /// Whether routing may use this connection at all: its actor does not judge it unreachable.
  /// An ejected or cooling one is used when nothing better is left (one failed connect is not
  /// enough to refuse every request for a while); a throttled model never is.
  bool reachable() const {
    return health_.load(std::memory_order_relaxed) != connection_health::unreachable;
  }
  /// Counts ejections: a request that began before the latest one says nothing of the
  /// connection since (a long stream ending well must not undo the ejection).
  std::uint32_t health_epoch() const { return epoch_.load(std::memory_order_relaxed); }
  void begin_health_epoch() { epoch_.fetch_add(1, std::memory_order_relaxed); }
  connection_health health() const { return health_.load(std::memory_order_relaxed); }
  /// Set by the connection's upstream_actor, which owns the decision.
  void publish_health(connection_health h) { health_.store(h, std::memory_order_relaxed); }
  /// A request could not connect: passed over for `d` (its actor hears of it too, batched).
  void mark_down_for(std::chrono::milliseconds d) { cooldown_until_.store(ticks_after(d), relaxed); }
  /// 429 for `model` (the upstream's name), with Retry-After `d`: that model is passed over on
  /// this connection meanwhile. Not for a connection that sends each caller's own credentials
  /// (session auth): its limits are the caller's, not everyone's.
  void throttle_for(std::string_view model, std::chrono::milliseconds d) {
    if (!model.empty() && !callers_credentials_) throttles_.throttle(model, d);
  }
  /// How long `model` is still to be left alone here (0 when it is not).
  std::chrono::milliseconds throttle_left(std::string_view model) const {
    return throttles_.left(model);
  }
  bool throttled_for(std::string_view model) const { return throttle_left(model).count() > 0; }
  /// A request got an answer: a connect cool-down is over (written only when set, to keep the
  /// line shared).
  void mark_answering() {
    if (cooldown_until_.load(relaxed) != 0) cooldown_until_.store(0, relaxed);
  }

  /// This I/O thread's view of the connection's load (a spare one on any other thread).
  connection_load& load_here();
  /// Thread `i`'s view, for reports.
  const connection_load& load_of(unsigned i) const { return shards_[i].load; }
  unsigned threads() const { return static_cast<unsigned>(shards_.size()); }

  /// Where this thread's outcomes are reported, batched (the connection's upstream_actor). Set
  /// once by whoever starts the actor, before requests can reach the endpoint.
  void set_outcome_sink(std::function<void(outcome_batch)> sink);
  void report(outcome_batch b) const;

  /// The health report its actor published last (for the admin route and /metrics).
  std::shared_ptr<const health_report> health_details() const { return details_.load(); }
  void publish_health_details(std::shared_ptr<const health_report> r) {
    details_.publish(std::move(r));
  }

  /// The head of a request to this upstream: request line (with the URL's query), Host,
  /// authentication, the given Content-Type and Accept, then the connection's custom headers, which
  /// replace same-named ones rather than repeat them. The only place an upstream credential is put
  /// on the wire. `content_type` and `accept` are left out when empty.
  /// `caller` (when known) is who the request is for: its Authorization is sent in place of the
  /// key when the connection's auth_type is "session", it fills the placeholders of the custom
  /// headers, and it is forwarded in the user-info headers when the gateway is set to.
  std::string request_head(boost::beast::http::verb method, std::string_view path,
                           std::string_view content_type, std::string_view accept,
                           std::size_t content_length,
                           const caller_identity* caller = nullptr) const;

  /// Whether request_head uses the caller (session auth, templated headers, forwarded user
  /// info): a request routed here without one loses what it would carry.
  bool needs_caller() const { return needs_caller_; }

  /// A pooled connection of the calling I/O thread, or null. Must run on an I/O thread. A pooled
  /// connection on which anything arrived while no request was outstanding (an unsolicited
  /// response, a late interim one, the upstream's close) is closed instead of handed out: its
  /// next bytes would otherwise be taken for the next caller's answer.
  std::unique_ptr<upstream_connection> take_idle();
  /// Gives a connection back: pooled when `reusable`, closed otherwise.
  void release(std::unique_ptr<upstream_connection> c, bool reusable);
  /// Opens a new connection (resolve, connect, TLS handshake) within the connect timeout. `cancel`
  /// (when given) can abandon it: its `current` points at the socket being connected until
  /// connect returns (with operation_aborted when cancelled).
  boost::asio::awaitable<std::unique_ptr<upstream_connection>> connect(
      boost::system::error_code& ec, upstream_cancel* cancel = nullptr);

  /// The model list's fetches, numbered by the connection's actor as it starts each; the catalog
  /// notes the last one whose list routing sees (published, or found unchanged).
  void note_list_fetch_started(std::uint64_t n) { fetches_started_.store(n, relaxed); }
  void note_list_fetch_applied(std::uint64_t n) { fetch_applied_.store(n, relaxed); }
  std::uint64_t list_fetch_applied() const { return fetch_applied_.load(relaxed); }
  /// Before asking the actor to refresh the list: notes the wish and answers the fetch number
  /// after which routing will see a list fetched since (list_fetch_applied() > it).
  std::uint64_t ask_list_refresh() {
    auto started = fetches_started_.load(relaxed);
    auto wanted = refresh_wanted_.load(relaxed);
    while (wanted < started + 1 &&
           !refresh_wanted_.compare_exchange_weak(wanted, started + 1, relaxed)) {
    }
    return started;
  }
  /// A refresh was asked for and routing does not see its list yet.
  bool list_refresh_pending() const {
    return fetch_applied_.load(relaxed) < refresh_wanted_.load(relaxed);
  }

  /// The connection's own secrets (key, secret header values, URL credentials), to be scrubbed
  /// from any upstream text passed on to a client.
  const std::vector<std::string>& secrets() const { return secrets_; }

 private:
  struct shard {
    connection_load load;  // its own cache line
    std::vector<std::unique_ptr<upstream_connection>> idle;
  };
  static constexpr auto relaxed = std::memory_order_relaxed;
  static std::int64_t ticks_after(std::chrono::milliseconds d) {
    return (std::chrono::steady_clock::now() + d).time_since_epoch().count();
  }
  static bool passed(std::int64_t until) {
    return until == 0 || std::chrono::steady_clock::now().time_since_epoch().count() >= until;
  }
  bool cooling() const {
    auto until = cooldown_until_.load(relaxed);
    return until != 0 && !passed(until);
  }
  connection_spec spec_;  // as made: its defining fields, for the endpoint's own use
  snapshot_cell<connection_spec> settings_;
  bool official_openai_ = false;
  upstream_target target_;
  runtime& rt_;
  const provider_adapter& adapter_;
  std::string rendered_headers_;  // Host and Authorization, unless custom ones replace them
  header_template custom_headers_;  // the connection's own headers, rendered last
  // The user-info headers (ENABLE_FORWARD_USER_INFO_HEADERS) that custom headers do not replace.
  struct forwarded_header {
    std::string prefix;  // "Name: "
    std::string caller_identity::*value;
    bool quoted;  // the user's name, percent-encoded as Open WebUI sends it
  };
  std::vector<forwarded_header> forwarded_;
  bool needs_caller_ = false;
  std::vector<std::string> secrets_;
  bool custom_content_type_ = false;
  bool custom_auth_ = false;
  bool custom_accept_ = false;
  std::vector<shard> shards_;
  // Link-local and cloud-metadata addresses are refused at connect time too (a host name may
  // resolve to one), unless the admin allowed them.
  bool allow_link_local_ = false;
  std::atomic<connection_health> health_{connection_health::healthy};
  std::atomic<std::uint32_t> epoch_{0};
  std::atomic<std::int64_t> cooldown_until_{0};   // steady_clock ticks; 0: none
  model_throttles throttles_;
  std::atomic<std::uint64_t> fetches_started_{0};
  std::atomic<std::uint64_t> fetch_applied_{0};
  std::atomic<std::uint64_t> refresh_wanted_{0};
  bool callers_credentials_ = false;  // session auth: each request carries its caller's
  connection_load spare_load_;                    // for callers off the I/O threads
  std::function<void(outcome_batch)> outcome_sink_;
  snapshot_cell<health_report> details_;
  std::atomic<bool> has_sink_{false};
  upstream_stats stats_;
};

}  // namespace sb
