#define CAF_SUITE cluster
#include <sodium.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/test/unit_test.hpp>

#include "actors/cluster_replica.hpp"
#include "actors/cluster_seal.hpp"
#include "actors/cluster_trust.hpp"
#include "config/cluster_settings.hpp"
#include "messages/protocols.hpp"
#include "storage/account_store.hpp"
#include "support/fake_env.hpp"

using namespace sb;

namespace {

struct seal_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::string dn = cluster_nonce(), gn = cluster_nonce();
  handshake_facts facts{dn, gn, "dialer-caf", "gate-caf"};
  seal_fixture() {
    CAF_REQUIRE(sodium_init() >= 0);
    cfg.add_message_types<caf::id_block::switchboard>();
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  cluster_content batch_of(std::string id) {
    cluster_content c;
    c.op = static_cast<std::uint8_t>(cluster_op::batch);
    c.epoch = "epoch";
    c.batch.upto = c.batch.feed = 9;
    auto& r = c.batch.records.emplace_back();
    r.kind = "model";
    r.id = std::move(id);
    r.version.stamp = 5;
    r.version.node = "n1";
    r.data = R"({"id":"x"})";
    return c;
  }
};

std::string settings_error(std::map<std::string, std::string> env) {
  settings::cluster_settings c;
  return read_cluster_settings(test::fake_env(std::move(env)), c);
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_tests, seal_fixture)

CAF_TEST(a sealed message opens only with the other side key and only once) {
  auto dialer = derive_link_keys("secret-0123456789", facts, true);
  auto gate = derive_link_keys("secret-0123456789", facts, false);
  auto sealed = seal(dialer, *sys, batch_of("a"));
  CAF_CHECK(sealed.box.find("model") == std::string::npos);  // encrypted
  cluster_content got;
  CAF_REQUIRE(unseal(gate, *sys, sealed, got));
  CAF_CHECK_EQUAL(got.batch.records.at(0).id, "a");
  CAF_CHECK_EQUAL(got.batch.upto, 9u);
  CAF_CHECK(!unseal(gate, *sys, sealed, got));  // a replay
  // Reflected back to its sender, it does not open: each direction has its own key.
  auto again = seal(dialer, *sys, batch_of("b"));
  CAF_CHECK(!unseal(dialer, *sys, again, got));
  auto tampered = seal(dialer, *sys, batch_of("c"));
  tampered.box[tampered.box.size() / 2] ^= 1;
  CAF_CHECK(!unseal(gate, *sys, tampered, got));
  // Keys from another secret, or for other nonces, open nothing.
  auto stranger = derive_link_keys("another-secret-0123", facts, true);
  CAF_CHECK(!unseal(gate, *sys, seal(stranger, *sys, batch_of("d")), got));
  CAF_REQUIRE(unseal(gate, *sys, seal(dialer, *sys, batch_of("e")), got));
  CAF_CHECK_EQUAL(got.batch.records.at(0).id, "e");
}

CAF_TEST(proofs are bound to the role the nonces and the nodes) {
  auto gate = cluster_proof_of("s", {"gate", dn, gn, "a", "b"});
  CAF_CHECK_EQUAL(gate.size(), 64u);
  CAF_CHECK(cluster_proof_matches(gate, cluster_proof_of("s", {"gate", dn, gn, "a", "b"})));
  CAF_CHECK(!cluster_proof_matches(gate, cluster_proof_of("s", {"dialer", dn, gn, "a", "b"})));
  CAF_CHECK(!cluster_proof_matches(gate, cluster_proof_of("s", {"gate", gn, dn, "a", "b"})));
  CAF_CHECK(!cluster_proof_matches(gate, cluster_proof_of("s", {"gate", dn, gn, "a", "c"})));
  CAF_CHECK(!cluster_proof_matches(gate, cluster_proof_of("t", {"gate", dn, gn, "a", "b"})));
  CAF_CHECK(!cluster_proof_matches(gate, ""));
}

CAF_TEST(peers records are taken only when they read) {
  std::uint64_t now = 1'800'000'000'000;
  auto ok = [&](std::string kind, std::string id, std::uint64_t stamp, std::string node,
                bool deleted, std::string data) {
    record r;
    r.kind = std::move(kind);
    r.id = std::move(id);
    r.version.stamp = stamp;
    r.version.node = std::move(node);
    r.deleted = deleted;
    r.data = std::move(data);
    return replica_fault(r, now).empty();
  };
  std::string good = R"({"id":"m","name":"M"})";
  CAF_CHECK(ok("model", "m", now << 16, "n2", false, good));
  CAF_CHECK(!ok("secrets", "m", 1, "n2", false, "{}"));              // an unknown kind
  CAF_CHECK(!ok("model", "", 1, "n2", false, "{}"));                  // no id
  CAF_CHECK(!ok("model", "a\nb", 1, "n2", false, "{}"));              // a control byte
  CAF_CHECK(!ok("model", "m", 1, "n 2", false, "{}"));                // a writer name
  CAF_CHECK(!ok("model", "m", (now + 25 * 3'600'000) << 16, "n2", false, good));
  CAF_CHECK(ok("model", "m", (now + 3'600'000) << 16, "n2", false, good));
  CAF_CHECK(!ok("model", "m", 1, "n2", false, "[1]"));                // not an object
  CAF_CHECK(!ok("user", "u", 1, "n2", false, R"({"role":"emperor"})"));  // its shape
  CAF_CHECK(!ok("connection", "c", 1, "n2", false,
                R"({"family":"openai","position":-1,"url":"http://x"})"));
  CAF_CHECK(ok("user", "u", 1, "n2", true, {}));                      // a tombstone
  CAF_CHECK(!ok("group", "g", 1, "n2", false, R"({"permissions":5})"));
  CAF_CHECK(ok("group", "g", 1, "n2", false, R"({"name":"g","permissions":{}})"));
  CAF_CHECK(!ok("api_key", "k", 1, "n2", false, R"({"user_id":"u"})"));  // no hash
  CAF_CHECK(!ok("setting", "anything", 1, "n2", false, "{}"));
  CAF_CHECK(!ok("provider", "mistral", 1, "n2", false, R"({"enable":true})"));
  CAF_CHECK(ok("provider", "openai", 1, "n2", false, R"({"enable":true,"ids":[]})"));
  CAF_CHECK(!ok("user_activity", "u", 1, "n2", false, R"({"last_active_at":"soon"})"));
}

CAF_TEST(cluster settings) {
  CAF_CHECK_EQUAL(settings_error({}), "");
  CAF_CHECK(settings_error({{"CLUSTER_PORT", "9000"}}).find("CLUSTER_SECRET") != std::string::npos);
  CAF_CHECK(settings_error({{"CLUSTER_PEERS", "a:1"}, {"CLUSTER_SECRET", "short"}}) != "");
  CAF_CHECK(settings_error({{"CLUSTER_PEERS", "a"}, {"CLUSTER_SECRET", "0123456789abcdef"}})
                .find("host:port") != std::string::npos);
  CAF_CHECK(settings_error({{"CLUSTER_NODE_ID", "a b"}}) != "");
  CAF_CHECK(settings_error({{"CLUSTER_WRITE_QUORUM", "all"}}) != "");
  settings::cluster_settings c;
  CAF_REQUIRE(read_cluster_settings(
                  test::fake_env({{"CLUSTER_PEERS", "10.0.0.2:7001, [::1]:7002"},
                                  {"CLUSTER_SECRET", "0123456789abcdef"},
                                  {"CLUSTER_WRITE_QUORUM", "majority"},
                                  {"CLUSTER_QUORUM_TIMEOUT", "2.5"}}),
                  c) == "");
  CAF_CHECK(c.enabled && c.majority && c.port == 0);
  CAF_REQUIRE_EQUAL(c.peers.size(), 2u);
  CAF_CHECK_EQUAL(c.peers[1].host, "::1");
  CAF_CHECK_EQUAL(c.peers[1].port, 7002);
  CAF_CHECK_EQUAL(c.quorum_timeout.count(), 2500);
}

CAF_TEST_FIXTURE_SCOPE_END()
