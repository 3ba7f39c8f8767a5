#include "oxydra/runtime/conversation.h"

#include <gtest/gtest.h>

#include "oxydra/testlib/temp_dir.h"
#include "rig.h"

namespace oxydra::runtime {
namespace {

using testing::call;
using testing::FakeReply;

struct StoreFixture : ::testing::Test {
  testlib::TempDir dir{"oxy-conv"};
  std::shared_ptr<memory::Store> store;
  std::string session;

  void SetUp() override {
    auto opened = memory::Store::open(dir.file("memory.db"));
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::make_shared<memory::Store>(std::move(*opened));
    session = store->create_session()->id;
  }

  std::vector<memory::StoredMessage> rows() { return *store->load_messages(session); }
};

TEST_F(StoreFixture, TurnIsWrittenAsItProgresses) {
  testing::Rig rig;
  rig.add_tool("probe", tools::SafetyTier::side_effecting);
  rig.provider->push(FakeReply{"looking", {call("c1", "probe", R"({"x":"1"})")}});
  rig.provider->push(FakeReply{"all done"});
  auto conversation = Conversation::resume(store, session);
  ASSERT_TRUE(conversation);
  auto result = rig.run(*conversation, "please probe");
  ASSERT_EQ(result.stop_reason, "completed");

  auto stored = rows();
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0].role, Role::user);
  EXPECT_EQ(stored[0].content, "please probe");
  EXPECT_EQ(stored[1].role, Role::assistant);
  EXPECT_EQ(stored[1].content, "looking");
  EXPECT_EQ(stored[1].status, memory::MessageStatus::complete);
  auto calls = decode_tool_calls(stored[1].tool_calls);
  ASSERT_TRUE(calls && calls->size() == 1);
  EXPECT_EQ((*calls)[0].arguments, R"({"x":"1"})");
  EXPECT_EQ(stored[2].role, Role::tool);
  EXPECT_EQ(stored[2].tool_call_id, "c1");
  EXPECT_EQ(stored[2].tool_name, "probe");
  EXPECT_EQ(stored[3].content, "all done");
}

TEST_F(StoreFixture, ResumedSessionIsSentToTheModel) {
  {
    testing::Rig rig;
    rig.provider->push(FakeReply{"first answer"});
    auto conversation = Conversation::resume(store, session);
    ASSERT_EQ(rig.run(*conversation, "first question").stop_reason, "completed");
  }
  testing::Rig rig;
  rig.provider->push(FakeReply{"second answer"});
  auto resumed = Conversation::resume(store, session);
  ASSERT_TRUE(resumed);
  ASSERT_EQ(rig.run(*resumed, "second question").stop_reason, "completed");
  const auto sent = rig.provider->requests().at(0).messages;
  ASSERT_EQ(sent.size(), 4u);  // system, first question, first answer, second question
  EXPECT_EQ(sent[0].role, Role::system);
  EXPECT_EQ(sent[1].text, "first question");
  EXPECT_EQ(sent[2].text, "first answer");
  EXPECT_EQ(sent[3].text, "second question");
}

TEST_F(StoreFixture, ResumeDropsRowsLeftInFlight) {
  {
    Conversation conversation = *Conversation::resume(store, session);
    ASSERT_TRUE(conversation.add_user("hi"));
  }
  memory::StoredMessage half;
  half.role = Role::assistant;
  half.content = "half an ans";
  half.status = memory::MessageStatus::in_flight;
  ASSERT_TRUE(store->append_message(session, half));
  auto resumed = Conversation::resume(store, session);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->messages().size(), 1u);
  EXPECT_EQ(resumed->restored().dropped_in_flight, 1u);
}

TEST_F(StoreFixture, CrashMidToolLeavesACallThatResumeMarksInterrupted) {
  {
    Conversation conversation = *Conversation::resume(store, session);
    ASSERT_TRUE(conversation.add_user("run it"));
    ASSERT_TRUE(conversation.add_assistant("", {call("c9", "shell_exec", "{}")}));
    // The process dies while the command runs: its result is never saved.
  }
  testing::Rig rig;
  rig.provider->push(FakeReply{"sorry about that"});
  auto resumed = Conversation::resume(store, session);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->restored().interrupted_calls, 1u);
  ASSERT_EQ(rig.run(*resumed, "what happened?").stop_reason, "completed");
  const auto sent = rig.provider->requests().at(0).messages;
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[3].role, Role::tool);
  EXPECT_EQ(sent[3].tool_call_id, "c9");
  EXPECT_TRUE(sent[3].is_error);
  EXPECT_EQ(sent[4].text, "what happened?");
}

TEST_F(StoreFixture, CancelledStreamKeepsWhatTheUserSaw) {
  testing::Rig rig;
  rig.provider->push(FakeReply{.text = "partial words", .wait_for_cancel = true});
  auto conversation = Conversation::resume(store, session);
  TurnControl control;
  std::thread canceller([&] {
    while (rig.of_kind(gateway_rpc::TurnEventKind::text_delta).empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    control.cancel();
  });
  auto result = rig.run(*conversation, "talk", control);
  canceller.join();
  EXPECT_EQ(result.stop_reason, "cancelled");
  EXPECT_EQ(result.text, "partial words");
  auto stored = rows();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].content, "partial words");
  EXPECT_EQ(stored[1].status, memory::MessageStatus::complete);
}

TEST(Conversation, InMemoryOnlyKeepsMessages) {
  Conversation conversation("s-1");
  ASSERT_TRUE(conversation.add_user("hello"));
  ASSERT_TRUE(conversation.add_assistant("hi"));
  EXPECT_EQ(conversation.messages().size(), 2u);
  EXPECT_EQ(conversation.session_id(), "s-1");
}

}  // namespace
}  // namespace oxydra::runtime
