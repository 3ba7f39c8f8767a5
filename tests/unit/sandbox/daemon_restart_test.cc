// A reconnect may reach a different daemon instance (it restarted) whose
// session ids start over: old ids must then never be sent to it.
#include <gtest/gtest.h>

#include "oxydra/sandbox/daemon_client.h"
#include "oxydra/sandbox/daemon_shell_session.h"
#include "test_peer.h"

namespace oxydra::sandbox {
namespace {

using testing::BasicDaemon;
using testing::PeerConnection;
using testing::TempDir;
using testing::TestPeer;

// The first daemon instance dies as soon as it is asked to run a command.
void die_on_exec(BasicDaemon& daemon) {
  daemon.hook = [](PeerConnection& c, const Message& m) {
    if (m.op == "exec_command") c.close();
    return m.op == "exec_command";
  };
}

// The daemon restarted between two connections and numbers its sessions
// afresh: the old session's id now names another session. The client must
// notice and never send the old session's requests to the new daemon.
TEST(DaemonClient, RestartedDaemonIsDetectedAndOldSessionIdsStayUnused) {
  TempDir dir;
  auto first = std::make_shared<testing::DaemonState>();
  auto second = std::make_shared<testing::DaemonState>();
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int index) {
    BasicDaemon daemon;
    daemon.state = index == 0 ? first : second;
    if (index == 0) die_on_exec(daemon);
    daemon.serve(conn);
  });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  auto old_session = std::make_unique<DaemonShellSession>(client);
  ASSERT_TRUE(old_session->spawn({}));
  EXPECT_FALSE(old_session->exec(ExecOptions{.command = "dies"}));

  // Someone else's session in the new daemon gets the recycled id.
  DaemonShellSession other(client);
  ASSERT_TRUE(other.spawn({}));
  ASSERT_EQ(other.id(), old_session->id());
  EXPECT_EQ(client->epoch(), 2u);

  auto stale = old_session->exec(ExecOptions{.command = "must not run"});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::unknown_session);
  old_session.reset();  // must not kill the new daemon's session-1
  ASSERT_TRUE(other.exec(ExecOptions{.command = "true"}));
  std::lock_guard lock(second->mu);
  EXPECT_EQ(second->exec_sessions.size(), 1u);
  EXPECT_EQ(second->sessions.count("session-1"), 1u);
}

// A daemon that names its instance in hello is believed over list_sessions.
TEST(DaemonClient, HelloInstanceDecidesWhetherTheDaemonRestarted) {
  TempDir dir;
  auto first = std::make_shared<testing::DaemonState>();
  first->instance = "boot-a";
  auto second = std::make_shared<testing::DaemonState>();
  second->instance = "boot-b";
  second->sessions = {"session-1"};  // as if someone already spawned again
  second->next_session = 1;
  TestPeer peer(dir.file("d.sock"), [&](PeerConnection& conn, int index) {
    BasicDaemon daemon;
    daemon.state = index == 0 ? first : second;
    if (index == 0) die_on_exec(daemon);
    daemon.serve(conn);
  });
  auto client = testing::connect_test_client(dir.file("d.sock"));
  ASSERT_TRUE(client);
  DaemonShellSession session(client);
  ASSERT_TRUE(session.spawn({}));
  EXPECT_FALSE(session.exec(ExecOptions{.command = "dies"}));
  auto stale = session.exec(ExecOptions{.command = "must not run"});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::unknown_session);
  EXPECT_EQ(client->epoch(), 2u);
  std::lock_guard lock(second->mu);
  EXPECT_TRUE(second->exec_sessions.empty());
}

}  // namespace
}  // namespace oxydra::sandbox
