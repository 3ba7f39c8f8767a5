#include "oxydra/memory/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "sqlite_db.h"
#include "temp_dir.h"

namespace oxydra::memory {
namespace {

using ::testing::MatchesRegex;
using testing::TempDir;

StoredMessage message(Role role, std::string content) {
  StoredMessage m;
  m.role = role;
  m.content = std::move(content);
  return m;
}

StoredMessage tool_result(std::string call_id, std::string output) {
  StoredMessage m = message(Role::tool, std::move(output));
  m.tool_call_id = std::move(call_id);
  m.tool_name = "shell_exec";
  return m;
}

Store open_store(const std::string& path) {
  auto store = Store::open(path);
  EXPECT_TRUE(store) << store.error().message;
  return std::move(*store);
}

TEST(Store, OpenCreatesSchemaAndReopensIdempotently) {
  TempDir dir;
  const std::string path = dir.file("memory.db");
  {
    Store store = open_store(path);
    EXPECT_EQ(store.schema_version(), latest_schema_version());
    EXPECT_EQ(store.path(), path);
  }
  Store again = open_store(path);
  EXPECT_EQ(again.schema_version(), latest_schema_version());
  EXPECT_TRUE(again.list_sessions()->empty());
}

TEST(Store, OpenErrorNamesThePath) {
  TempDir dir;
  const std::string path = dir.file("missing/internal/memory.db");
  auto store = Store::open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::storage);
  EXPECT_EQ(store.error().message, "open " + path + ": No such file or directory");
}

TEST(Store, UsesWalModeAndPrivateFiles) {
  TempDir dir;
  const std::string path = dir.file("memory.db");
  // Even with a permissive umask: SQLite alone would create 0666 & ~umask.
  const mode_t old_umask = ::umask(0);
  Store store = open_store(path);
  auto session = store.create_session();
  ASSERT_TRUE(session);
  ASSERT_TRUE(store.append_message(session->id, message(Role::user, "hi")));

  auto db = Database::open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->query_text("PRAGMA journal_mode").value(), "wal");
  EXPECT_EQ(testing::file_mode(path), 0600u);
  ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
  EXPECT_EQ(testing::file_mode(path + "-wal"), 0600u);
  EXPECT_EQ(testing::file_mode(path + "-shm"), 0600u);
  ::umask(old_umask);
}

TEST(Store, TightensAnExistingFileToOwnerOnly) {
  TempDir dir;
  const std::string path = dir.file("memory.db");
  testing::write_all(path, "");
  ::chmod(path.c_str(), 0644);
  Store store = open_store(path);
  EXPECT_EQ(testing::file_mode(path), 0600u);
}

TEST(Store, SessionsAreListedMostRecentlyActiveFirst) {
  TempDir dir;
  Store store = open_store(dir.file("memory.db"));
  EXPECT_FALSE(store.latest_session().value().has_value());

  auto first = store.create_session("first");
  auto second = store.create_session();
  ASSERT_TRUE(first && second);
  EXPECT_THAT(first->id, MatchesRegex("chat-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}"));
  EXPECT_NE(first->id, second->id);
  EXPECT_EQ(store.latest_session().value()->id, second->id);

  ASSERT_TRUE(store.append_message(first->id, message(Role::user, "one")));
  ASSERT_TRUE(store.append_message(first->id, message(Role::assistant, "two")));
  auto sessions = store.list_sessions();
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->size(), 2u);
  EXPECT_EQ((*sessions)[0].id, first->id);
  EXPECT_EQ((*sessions)[0].title, "first");
  EXPECT_EQ((*sessions)[0].message_count, 2);
  EXPECT_EQ((*sessions)[1].id, second->id);
  EXPECT_EQ((*sessions)[1].message_count, 0);
  EXPECT_EQ(store.latest_session().value()->id, first->id);
  EXPECT_EQ(store.list_sessions(1)->size(), 1u);

  EXPECT_TRUE(store.session_exists(first->id).value());
  EXPECT_FALSE(store.session_exists("chat-nope").value());
  ASSERT_TRUE(store.set_title(second->id, "renamed"));
  EXPECT_EQ(store.set_title("chat-nope", "x").error().code, ErrorCode::unknown_session);
}

TEST(Store, MessagesRoundTripInOrder) {
  TempDir dir;
  Store store = open_store(dir.file("memory.db"));
  auto session = store.create_session();
  ASSERT_TRUE(session);
  StoredMessage call = message(Role::assistant, "");
  call.tool_calls = R"([{"id":"call_1","name":"shell_exec","arguments":"{\"command\":\"ls\"}"}])";
  EXPECT_EQ(store.append_message(session->id, message(Role::system, "be brief")).value(), 1);
  EXPECT_EQ(store.append_message(session->id, message(Role::user, "list files")).value(), 2);
  EXPECT_EQ(store.append_message(session->id, call).value(), 3);
  EXPECT_EQ(store.append_message(session->id, tool_result("call_1", "a\nb\n")).value(), 4);

  auto messages = store.load_messages(session->id);
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages->size(), 4u);
  EXPECT_EQ((*messages)[0].role, Role::system);
  EXPECT_EQ((*messages)[1].content, "list files");
  EXPECT_EQ((*messages)[2].tool_calls, call.tool_calls);
  EXPECT_EQ((*messages)[3].role, Role::tool);
  EXPECT_EQ((*messages)[3].tool_call_id, "call_1");
  EXPECT_EQ((*messages)[3].tool_name, "shell_exec");
  EXPECT_EQ((*messages)[3].content, "a\nb\n");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    EXPECT_EQ((*messages)[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ((*messages)[i].status, MessageStatus::complete);
    EXPECT_GT((*messages)[i].created_at_ms, 0);
  }
}

TEST(Store, RejectsUnknownSessionsAndBadToolCalls) {
  TempDir dir;
  Store store = open_store(dir.file("memory.db"));
  EXPECT_EQ(store.append_message("chat-x", message(Role::user, "hi")).error().code,
            ErrorCode::unknown_session);
  EXPECT_EQ(store.load_messages("chat-x").error().code, ErrorCode::unknown_session);
  auto session = store.create_session();
  StoredMessage bad = message(Role::assistant, "");
  bad.tool_calls = "[{not json";
  EXPECT_EQ(store.append_message(session->id, bad).error().code, ErrorCode::invalid_arguments);
  EXPECT_TRUE(store.load_messages(session->id)->empty());
}

TEST(Store, InFlightMessageCanBeFinished) {
  TempDir dir;
  Store store = open_store(dir.file("memory.db"));
  auto session = store.create_session();
  StoredMessage partial = message(Role::assistant, "Hel");
  partial.status = MessageStatus::in_flight;
  auto seq = store.append_message(session->id, partial);
  ASSERT_TRUE(seq);
  EXPECT_EQ(store.load_messages(session->id)->at(0).status, MessageStatus::in_flight);

  ASSERT_TRUE(store.update_message(session->id, *seq, message(Role::assistant, "Hello")));
  auto loaded = store.load_messages(session->id).value().at(0);
  EXPECT_EQ(loaded.content, "Hello");
  EXPECT_EQ(loaded.status, MessageStatus::complete);
  EXPECT_EQ(store.update_message(session->id, 42, partial).error().code,
            ErrorCode::invalid_arguments);
}

// The agent restarts: a new Store on the same file sees the whole conversation
// and resumes the latest session.
TEST(Store, SessionSurvivesRestart) {
  TempDir dir;
  const std::string path = dir.file("memory.db");
  std::string id;
  {
    Store store = open_store(path);
    store.create_session("older").value();
    id = store.create_session("current").value().id;
    for (int i = 0; i < 20; ++i) {
      Role role = i % 2 == 0 ? Role::user : Role::assistant;
      ASSERT_TRUE(store.append_message(id, message(role, "m" + std::to_string(i))));
    }
  }
  Store store = open_store(path);
  auto latest = store.latest_session().value();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->id, id);
  EXPECT_EQ(latest->title, "current");
  EXPECT_EQ(latest->message_count, 20);
  auto messages = store.load_messages(id).value();
  ASSERT_EQ(messages.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(messages[i].content, "m" + std::to_string(i));
  EXPECT_EQ(store.append_message(id, message(Role::user, "again")).value(), 21);
  EXPECT_EQ(store.list_sessions()->size(), 2u);
}

// A crash mid-turn: the process dies (SIGKILL, no destructors, WAL not
// checkpointed) after the user message and a tool result were written, before
// the assistant's answer. Both are there after the restart.
TEST(Store, CrashMidTurnKeepsWhatWasWritten) {
  TempDir dir;
  const std::string path = dir.file("memory.db");
  std::string id = open_store(path).create_session().value().id;

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::open(path);
    if (!store) ::_exit(2);
    StoredMessage call = message(Role::assistant, "");
    call.tool_calls = R"([{"id":"c1","name":"shell_exec","arguments":"{}"}])";
    bool ok = store->append_message(id, message(Role::user, "run it")).has_value() &&
              store->append_message(id, call).has_value() &&
              store->append_message(id, tool_result("c1", "done")).has_value();
    if (!ok) ::_exit(3);
    StoredMessage streaming = message(Role::assistant, "The comm");
    streaming.status = MessageStatus::in_flight;
    (void)store->append_message(id, streaming);
    ::raise(SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  Store store = open_store(path);
  auto messages = store.load_messages(id);
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages->size(), 4u);
  EXPECT_EQ((*messages)[0].content, "run it");
  EXPECT_EQ((*messages)[2].role, Role::tool);
  EXPECT_EQ((*messages)[2].content, "done");
  EXPECT_EQ((*messages)[3].status, MessageStatus::in_flight);
  EXPECT_EQ(store.append_message(id, message(Role::user, "next")).value(), 5);
}

TEST(Store, MovedStoreKeepsWorking) {
  TempDir dir;
  Store first = open_store(dir.file("memory.db"));
  Store second = std::move(first);
  auto session = second.create_session();
  ASSERT_TRUE(session);
  EXPECT_TRUE(second.session_exists(session->id).value());
}

}  // namespace
}  // namespace oxydra::memory
