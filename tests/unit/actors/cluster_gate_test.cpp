#define CAF_SUITE cluster_gate
// A gate over real loopback (CAF's middleman), spoken to by another actor system in this
// process, as a node of another release would.
#include <sodium.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "actors/cluster_actor.hpp"
#include "messages/protocols.hpp"
#include "storage/config_store.hpp"
#include "support/temp_dir.hpp"

using namespace sb;

namespace {

struct gate_fixture {
  caf::actor_system_config cfg_gate, cfg_stranger;
  std::unique_ptr<caf::actor_system> gate_sys, stranger_sys;
  test::temp_dir dir{"sb-gate"};
  std::shared_ptr<record_store> store;
  snapshot_cell<cluster_status> status;
  caf::actor gate;
  std::uint16_t port = 0;

  gate_fixture() {
    CAF_REQUIRE(sodium_init() >= 0);
    for (auto* c : {&cfg_gate, &cfg_stranger}) {
      c->load<caf::io::middleman>();
      c->add_message_types<caf::id_block::switchboard>();
    }
    gate_sys = std::make_unique<caf::actor_system>(cfg_gate);
    stranger_sys = std::make_unique<caf::actor_system>(cfg_stranger);
    std::string error;
    store = open_record_store(dir.path.string(), error, "n1");
    CAF_REQUIRE(store);
    cluster_options o;
    o.secret = "0123456789abcdef-secret";
    gate = gate_sys->spawn<caf::detached>(cluster_actor_impl, o, store, merge_listener{},
                                          members_listener{}, &status);
    auto published = gate_sys->middleman().publish(gate, 0, "127.0.0.1");
    CAF_REQUIRE(published);
    port = *published;
  }
  ~gate_fixture() {
    caf::anon_send_exit(gate, caf::exit_reason::user_shutdown);
  }
  std::uint64_t refused() {
    auto s = status.load();
    return s ? s->strangers_refused : 0;
  }
};

}  // namespace

CAF_TEST_FIXTURE_SCOPE(gate_tests, gate_fixture)

CAF_TEST(a node speaking another cluster protocol is refused and told which one this speaks) {
  auto remote = stranger_sys->middleman().remote_actor("127.0.0.1", port);
  CAF_REQUIRE(remote);
  caf::scoped_actor self{*stranger_sys};
  self->send(*remote, cluster_hello{cluster_protocol - 1, "old-node", std::string(64, 'a')});
  bool answered = false;
  self->receive(
      [&](cluster_challenge& c) {
        answered = true;
        CAF_CHECK_EQUAL(c.protocol, cluster_protocol);
        CAF_CHECK(c.nonce.empty());  // nothing to prove to: the handshake stops here
        CAF_CHECK(c.proof.empty());
      },
      caf::after(std::chrono::seconds(5)) >> [] {});
  CAF_CHECK(answered);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (refused() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CAF_CHECK_EQUAL(refused(), 1u);
  auto s = status.load();
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->members, 1u);  // never taken in
}

CAF_TEST_FIXTURE_SCOPE_END()
