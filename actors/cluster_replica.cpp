#include "actors/cluster_replica.hpp"

#include <boost/json.hpp>
#include <set>
#include <string_view>

#include "config/cluster_settings.hpp"
#include "storage/account_store.hpp"
#include "storage/config_records.hpp"
#include "storage/lease_store.hpp"
#include "storage/limit_store.hpp"
#include "storage/model_store.hpp"
#include "storage/usage_store.hpp"

namespace sb {

namespace {

constexpr std::size_t max_id = 1024;
constexpr std::size_t max_data = 1 << 20;
constexpr std::uint64_t max_ahead_ms = 24 * 3600 * 1000;

bool readable_id(std::string_view id) {
  if (id.empty() || id.size() > max_id) return false;
  for (unsigned char c : id)
    if (c < 0x20 && c != 0x1f) return false;  // 0x1f: usage ids' separator
  return true;
}

// The kind's own reader, where one is at hand.
bool shape_holds(const record& r) {
  if (r.kind == account_store::user_kind || r.kind == account_store::key_kind ||
      r.kind == account_store::group_kind || r.kind == account_store::revoked_kind ||
      r.kind == account_store::setting_kind || r.kind == account_store::activity_kind)
    return account_record_reads(r);
  if (r.kind == provider_kind_name) {
    gateway_config cfg;
    std::string error;
    return (r.id == "openai" || r.id == "ollama") && config_from_records({r}, {}, cfg, error);
  }
  if (r.kind == model_store::kind) {
    custom_model m;
    return decode_model(r, m);
  }
  if (r.kind == limit_store::kind) {
    limit_rule l;
    return decode_limit_rule(r, l);
  }
  if (r.kind == usage_store::kind) {
    usage_row u;
    return decode_usage_row(r, u);
  }
  if (r.kind == lease_kind || r.kind == want_kind) return lease_record_reads(r);
  if (r.kind == connection_kind_name) {
    gateway_config cfg;
    std::string error;
    return config_from_records({}, {r}, cfg, error);
  }
  return true;
}

}  // namespace

std::string replica_fault(const record& r, std::uint64_t wall_ms) {
  static const std::set<std::string_view> kinds{
      provider_kind_name,         connection_kind_name,        account_store::user_kind,
      account_store::key_kind,    account_store::group_kind,   account_store::revoked_kind,
      account_store::setting_kind, account_store::activity_kind, model_store::kind,
      limit_store::kind,          lease_kind,                  want_kind,
      usage_store::kind};
  if (!kinds.count(r.kind)) return "not a kind the cluster replicates";
  if (!readable_id(r.id)) return "an id that does not read";
  if (!valid_cluster_node_id(r.version.node)) return "a writer name that does not read";
  if (r.version.stamp > (wall_ms + max_ahead_ms) << hybrid_clock::counter_bits)
    return "stamped more than a day ahead of this node's clock";
  if (r.deleted) return {};
  if (r.data.size() > max_data) return "over 1 MiB";
  boost::system::error_code ec;
  auto v = boost::json::parse(r.data, ec);
  if (ec || !v.is_object()) return "its data is not a JSON object";
  if (!shape_holds(r)) return "not in the shape of its kind";
  return {};
}

}  // namespace sb
