#pragma once
// The actors of switchboard and what they say to each other. Read this file to learn the system.
//
// clang-format off
//   env / RocksDB ──> config_actor ──config_changed──> connection_manager ──spawn/respec/stop──> upstream_actor (1 per connection)
//        ^   POST /openai/config/update (HTTP session, control plane)  │                          │ refresh timer
//        └────────────────────────────── update ───────────────        │ live(key, endpoint)      v GET /models on an I/O thread
//                                                                       └──────────> catalog_actor <──upstream_models──┘
//                                                                              │ publishes catalog_snapshot (atomic swap)
//                                                                              v
//                                   HTTP sessions (Beast, one I/O thread each) read snapshots: no actor on the request path
//
//   core_watchdog monitors config_actor, connection_manager and catalog_actor: if one dies, routing
//   would freeze, so the process drains and exits non-zero instead.
// clang-format on
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "messages/account_types.hpp"
#include "messages/cluster_types.hpp"
#include "messages/config_types.hpp"
#include "messages/custom_model_types.hpp"
#include "messages/health_types.hpp"
#include "messages/limit_types.hpp"
#include "messages/model_types.hpp"
#include "messages/request_record.hpp"
#include "messages/usage_types.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(switchboard, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(switchboard, (sb::secret_string))
CAF_ADD_TYPE_ID(switchboard, (sb::provider_config))
CAF_ADD_TYPE_ID(switchboard, (sb::gateway_config))
CAF_ADD_TYPE_ID(switchboard, (sb::config_update_result))
CAF_ADD_TYPE_ID(switchboard, (sb::upstream_key))
CAF_ADD_TYPE_ID(switchboard, (sb::model_entry))
CAF_ADD_TYPE_ID(switchboard, (sb::fetch_result))
CAF_ADD_TYPE_ID(switchboard, (sb::outcome_batch))
CAF_ADD_TYPE_ID(switchboard, (sb::record_version))
CAF_ADD_TYPE_ID(switchboard, (sb::record))
CAF_ADD_TYPE_ID(switchboard, (sb::cluster_hello))
CAF_ADD_TYPE_ID(switchboard, (sb::cluster_challenge))
CAF_ADD_TYPE_ID(switchboard, (sb::cluster_proof))
CAF_ADD_TYPE_ID(switchboard, (sb::replica_batch))
CAF_ADD_TYPE_ID(switchboard, (sb::cluster_sealed))
CAF_ADD_TYPE_ID(switchboard, (sb::cluster_content))
CAF_ADD_ATOM(switchboard, sb, get_atom, "get")
CAF_ADD_ATOM(switchboard, sb, update_atom, "update")
CAF_ADD_ATOM(switchboard, sb, subscribe_atom, "subscribe")
CAF_ADD_ATOM(switchboard, sb, config_changed_atom, "cfgchanged")
CAF_ADD_ATOM(switchboard, sb, refresh_atom, "refresh")
CAF_ADD_ATOM(switchboard, sb, fetched_atom, "fetched")
CAF_ADD_ATOM(switchboard, sb, models_atom, "models")
CAF_ADD_ATOM(switchboard, sb, remove_atom, "remove")
CAF_ADD_ATOM(switchboard, sb, status_atom, "status")
CAF_ADD_ATOM(switchboard, sb, live_atom, "live")
CAF_ADD_ATOM(switchboard, sb, respec_atom, "respec")
CAF_ADD_ATOM(switchboard, sb, outcomes_atom, "outcomes")
CAF_ADD_ATOM(switchboard, sb, probe_atom, "probe")
CAF_ADD_ATOM(switchboard, sb, probed_atom, "probed")
CAF_ADD_ATOM(switchboard, sb, account_atom, "account")
CAF_ADD_ATOM(switchboard, sb, records_atom, "records")
CAF_ADD_ATOM(switchboard, sb, active_atom, "active")
CAF_ADD_ATOM(switchboard, sb, flush_atom, "flush")
CAF_ADD_ATOM(switchboard, sb, model_atom, "model")
CAF_ADD_ATOM(switchboard, sb, usage_atom, "usage")
CAF_ADD_ATOM(switchboard, sb, expire_atom, "expire")
CAF_ADD_ATOM(switchboard, sb, limit_atom, "limit")
CAF_ADD_ATOM(switchboard, sb, accounts_atom, "accounts")
CAF_ADD_ATOM(switchboard, sb, merged_atom, "merged")
CAF_ADD_ATOM(switchboard, sb, ack_atom, "ack")
CAF_ADD_ATOM(switchboard, sb, feed_atom, "feed")
CAF_ADD_ATOM(switchboard, sb, dial_atom, "dial")
CAF_ADD_ATOM(switchboard, sb, tick_atom, "tick")
CAF_ADD_ATOM(switchboard, sb, members_atom, "members")
CAF_ADD_ATOM(switchboard, sb, quorum_atom, "quorum")
CAF_END_TYPE_ID_BLOCK(switchboard)

namespace sb {

/// Anyone who wants every configuration change, in order: the connection manager today, peer
/// gateways later (gateway_config is serializable for that reason).
using config_subscriber = caf::typed_actor<caf::reacts_to<config_changed_atom, gateway_config>>;

/// Owns the live configuration. `get` answers the current one; `update` reads an admin's form for
/// one provider family against the configuration it holds now (masked secrets resolved there, so
/// two writers never resolve against a stale copy), refuses it when the versions it names
/// (If-Match; none: last writer wins) do not include the current one, and answers only after the
/// write is durable (RocksDB, sync), then broadcasts. A subscriber receives the current
/// configuration at once, then every change.
using config_actor = caf::typed_actor<
    caf::replies_to<get_atom>::with<gateway_config>,
    caf::replies_to<update_atom, provider_kind, std::string,
                    std::vector<std::uint64_t>>::with<config_update_result>,
    caf::reacts_to<subscribe_atom, config_subscriber>,
    caf::reacts_to<merged_atom>>;

/// Keeps one upstream_actor per enabled connection, in step with the configuration.
/// `status` answers the keys of the connections it runs; `refresh` has one connection fetch its
/// model list now (after a model was pulled, created, copied or deleted through the gateway).
using connection_manager_actor =
    caf::typed_actor<caf::reacts_to<config_changed_atom, gateway_config>,
                     caf::reacts_to<refresh_atom, upstream_key>,
                     caf::replies_to<status_atom>::with<std::vector<upstream_key>>>;

/// One configured connection: its model-list cache, health and (through its endpoint) its
/// keep-alive pool. `refresh` fetches the model list now; `fetched` is the fetch's answer,
/// sent back from the I/O thread that ran it; `respec` changes how the list is presented
/// (prefix_id, model_ids, tags, connection_type, weight, priority) without touching the connection
/// itself. `outcomes` is how requests went, batched per I/O thread: from them the actor ejects a
/// failing connection, and `probe` / `probed` (a timer, and a probe's answer) bring it back.
using upstream_actor =
    caf::typed_actor<caf::reacts_to<respec_atom, spec_update>,
                     caf::reacts_to<refresh_atom>,
                     caf::reacts_to<refresh_atom, std::uint64_t>,  // the refresh timer's tick
                     caf::reacts_to<fetched_atom, fetch_result>,
                     caf::reacts_to<outcomes_atom, outcome_batch>,
                     caf::reacts_to<probe_atom, std::uint64_t>,  // the probe timer's tick
                     caf::reacts_to<probed_atom, fetch_result>,
                     caf::replies_to<status_atom>::with<bool, std::uint64_t>>;  // healthy, models

/// Merges every connection's list into one catalog snapshot (model id -> connections) and
/// publishes it for the HTTP sessions. `live` names the endpoint that is live for a connection id
/// now (sent by the manager before it starts that connection's actor): lists from any other
/// endpoint of the id are dropped, and a replaced connection's old list keeps serving, through the
/// new endpoint, until the new one has a list of its own. `remove` forgets a connection id.
/// `status` answers the generation and the model ids.
using catalog_actor =
    caf::typed_actor<caf::reacts_to<live_atom, live_connection>,
                     caf::reacts_to<models_atom, upstream_models>,
                     caf::reacts_to<remove_atom, std::string>,
                     caf::replies_to<status_atom>::with<std::uint64_t, std::vector<std::string>>>;

/// Owns users, API keys and groups. `account` applies one change (sign-up, an admin's edit, a
/// key made or revoked), checked against the accounts as they are now, durable before it
/// answers; then publishes the accounts_snapshot the I/O threads authenticate from. `active`
/// (one-way, from the I/O threads, at most once a minute per credential and thread) says a user
/// made a request; the actor writes last_active_at for all of them at once per window (`flush`,
/// its own timer), so activity costs one write per window, not one per request. Node-local:
/// peers exchange the stored records, not these commands.
using accounts_subscriber = caf::typed_actor<caf::reacts_to<accounts_atom, shared_accounts>>;
/// `subscribe` sends a follower (the limits actor) the accounts at once, then after every change.
using accounts_actor =
    caf::typed_actor<caf::replies_to<account_atom, account_command>::with<account_reply>,
                     caf::reacts_to<active_atom, std::string>, caf::reacts_to<flush_atom>,
                     caf::reacts_to<subscribe_atom, accounts_subscriber>,
                     caf::reacts_to<merged_atom>>;

/// Owns the custom models (presets and entries describing base models). `model` applies one
/// change, durable before it answers, then publishes the models_snapshot the I/O threads read.
///
/// `merged` (config, accounts, models and limits actors alike): the cluster actor merged a
/// peer's records of the kinds this actor owns into the store; it reloads them from there and
/// publishes what it holds now.
using models_actor = caf::typed_actor<caf::replies_to<model_atom, model_command>::with<model_reply>,
                                     caf::reacts_to<merged_atom>>;

/// Writes the access log: one JSON line per request record, batches from the I/O threads.
using access_log_actor = caf::typed_actor<caf::reacts_to<records_atom, request_records>>;

/// Owns the limit rules. `limit` applies one change, durable before it answers, then rebuilds
/// and publishes the table the admit stage reads; `accounts` (from the accounts actor, after each
/// change it publishes) rebuilds it for the users and groups as they are now. In a cluster (from
/// the cluster actor): `members` says which gateways are up, and the table gives this one its
/// share of each rate limit; `quorum` hands it the gate its budget leases wait on;
/// `lease_records` are leases and asks merged from peers; `tick` is its lease round's timer.
using limits_actor =
    caf::typed_actor<caf::replies_to<limit_atom, limit_command>::with<limit_reply>,
                     caf::reacts_to<accounts_atom, shared_accounts>,
                     caf::reacts_to<merged_atom>,
                     caf::reacts_to<members_atom, cluster_view>,
                     caf::reacts_to<quorum_atom, caf::actor>,
                     caf::reacts_to<lease_records>,
                     caf::reacts_to<tick_atom>>;

/// Usage accounting: `records` are the same batches the access log gets (only metered requests
/// count); `flush` (its own timer) writes what is pending, `expire` (hourly) erases what is past
/// the retention; `usage` answers a query, after writing what is pending.
using usage_actor =
    caf::typed_actor<caf::reacts_to<records_atom, request_records>, caf::reacts_to<flush_atom>,
                     caf::reacts_to<expire_atom>,
                     caf::replies_to<usage_atom, usage_query>::with<usage_table>>;

}  // namespace sb
