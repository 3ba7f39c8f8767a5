// Bounded output: head + tail retention, truncation counts, streaming events
// with offsets, and flat daemon memory with floods and stalled clients.

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

#include "daemon_test_util.h"
#include "oxydra/types/shell_messages.h"

namespace oxydra::shell_daemon_test {
namespace {

using OutputTest = DaemonTest;

constexpr std::uint64_t k50MiB = 50ull << 20;

TEST_F(OutputTest, FiftyMebibytesAreKeptAsHeadAndTailWithExactTruncation) {
  auto s = spawn_session(*client_);
  // Lines "000000000\n", "000000001\n", ... so head and tail are recognisable.
  auto reply = exec(*client_, s, "seq -f '%09.0f' 0 5242879; echo tail-marker >&2");
  EXPECT_EQ(reply["exit_code"], 0);
  EXPECT_EQ(reply["stdout_bytes"], k50MiB);
  EXPECT_EQ(reply["stderr_bytes"], 12);
  EXPECT_EQ(reply["truncated_bytes"], k50MiB + 12 - (64u << 10));
  auto out = pull(*client_, s);
  EXPECT_EQ(out.err, "tail-marker\n");
  ASSERT_EQ(out.out.size(), (64u << 10) - 12);
  EXPECT_EQ(out.out.substr(0, 20), "000000000\n000000001\n");
  EXPECT_EQ(out.out.substr(out.out.size() - 10), "005242879\n");
}

TEST_F(OutputTest, PerRequestLimitAndBothStreamsTruncated) {
  auto s = spawn_session(*client_);
  auto reply = exec(*client_, s,
                    "head -c 5000 /dev/zero | tr '\\0' o; head -c 5000 /dev/zero | tr '\\0' e >&2",
                    {{"max_output_bytes", 1000}});
  EXPECT_EQ(reply["stdout_bytes"], 5000);
  EXPECT_EQ(reply["stderr_bytes"], 5000);
  EXPECT_EQ(reply["truncated_bytes"], 9000);
  auto out = pull(*client_, s, 300);
  EXPECT_EQ(out.out, std::string(500, 'o'));
  EXPECT_EQ(out.err, std::string(500, 'e'));
  EXPECT_GE(out.chunks, 4);
}

// Collects a streaming command's events and reply on `c`: the bytes of each
// stream as the events carried them (decoded when base64), checking offsets.
struct Streamed {
  std::string out, err;
  json reply;
  int base64_events = 0, text_events = 0;
};
Streamed stream_command(FrameClient& c, const std::string& session, const std::string& command) {
  Streamed got;
  EXPECT_TRUE(c.send(
      "exec_command",
      {{"request_id", "bin"}, {"session_id", session}, {"command", command}, {"stream", true}}));
  for (;;) {
    auto m = c.recv(60s);
    if (!m) {
      ADD_FAILURE() << "no reply";
      return got;
    }
    if (m->op != "output") {
      got.reply = m->payload;
      return got;
    }
    auto event = shell_rpc::parse_output_event(m->payload);
    EXPECT_TRUE(event) << m->payload.dump().substr(0, 200);
    if (!event) return got;
    std::string& text = event->stream == "stdout" ? got.out : got.err;
    EXPECT_EQ(event->offset, text.size());
    text += event->data;
    ++(event->encoding ? got.base64_events : got.text_events);
  }
}

TEST_F(OutputTest, Base64OutputNegotiatedInHelloCarriesAnyBytesExactly) {
  auto hello = client_->request("hello", {{"request_id", "h"},
                                          {"protocol_version", 1},
                                          {"client", "t"},
                                          {"output_encodings", {"zstd", "base64"}}});
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->payload["output_encoding"], "base64") << hello->payload.dump();
  auto s = spawn_session(*client_);
  auto got = stream_command(
      *client_, s, "printf 'a\\000b\\377\\303'; head -c 300000 /dev/zero; printf '\\351' >&2");
  EXPECT_EQ(got.reply["exit_code"], 0) << got.reply.dump();
  EXPECT_EQ(got.out, std::string("a\0b\xff\xc3", 5) + std::string(300000, '\0'));
  EXPECT_EQ(got.err, "\xe9");
  EXPECT_GT(got.base64_events, 0);
  EXPECT_EQ(got.text_events, 0);
}

TEST_F(OutputTest, WithoutBase64EventsStayUtf8Text) {
  auto hello =
      client_->request("hello", {{"request_id", "h"}, {"protocol_version", 1}, {"client", "t"}});
  ASSERT_TRUE(hello);
  EXPECT_FALSE(hello->payload.contains("output_encoding")) << hello->payload.dump();
  auto s = spawn_session(*client_);
  auto got = stream_command(*client_, s, "printf 'a\\000b\\377'");
  EXPECT_EQ(got.out, std::string("a\0b\xEF\xBF\xBD", 6));  // U+FFFD for the invalid byte
  EXPECT_EQ(got.base64_events, 0);
}

TEST_F(OutputTest, StreamingSendsOutputEventsWithOffsetsBeforeTheReply) {
  auto s = spawn_session(*client_);
  ASSERT_TRUE(client_->send("exec_command", {{"request_id", "st-1"},
                                             {"session_id", s},
                                             {"command", "seq 1 20000; echo err >&2"},
                                             {"stream", true}}));
  std::string out, err;
  std::uint64_t next_offset = 0;
  json reply;
  for (;;) {
    auto m = client_->recv(60s);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->payload["request_id"], "st-1");
    if (m->op == "exec_command") {
      reply = m->payload;
      break;
    }
    ASSERT_EQ(m->op, "output");
    const std::string data = m->payload["data"];
    if (m->payload["stream"] == "stdout") {
      EXPECT_EQ(m->payload["offset"], next_offset);
      next_offset += data.size();
      out += data;
    } else {
      err += data;
    }
  }
  std::string expected;
  for (int i = 1; i <= 20000; ++i)
    expected += std::to_string(i) + "\n";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(err, "err\n");
  EXPECT_EQ(reply["stdout_bytes"], expected.size());
}

TEST_F(OutputTest, StreamingNeverSplitsACharacterAcrossEvents) {
  auto s = spawn_session(*client_);
  // 3-byte characters in 4000-byte bursts: chunk boundaries fall mid-character.
  Pulled data;
  ASSERT_TRUE(
      client_->send("exec_command", {{"request_id", "u-1"},
                                     {"session_id", s},
                                     {"command",
                                      "i=0; while [ $i -lt 200 ]; do printf '\\342\\202\\254%.0s' "
                                      "$(seq 1 1333); printf x; i=$((i+1)); done"},
                                     {"stream", true}}));
  collect_stream(*client_, "u-1", data);
  EXPECT_EQ(data.out.find("\xEF\xBF\xBD"), std::string::npos) << "a character was split";
  EXPECT_EQ(data.out.size(), 200u * (1333 * 3 + 1));
}

std::size_t max_rss_while(pid_t pid, const std::function<bool()>& running) {
  std::size_t peak = 0;
  while (running()) {
    peak = std::max(peak, testlib::rss_bytes(pid));
    std::this_thread::sleep_for(20ms);
  }
  return peak;
}

TEST_F(OutputTest, DaemonMemoryStaysFlatWhileACommandPrintsAGibibyte) {
  auto s = spawn_session(*client_);
  const std::size_t before = testlib::rss_bytes(daemon_->pid());
  std::atomic<bool> done{false};
  json reply;
  std::thread runner([&] {
    reply = exec(*client_, s, "head -c 1073741824 /dev/zero");
    done = true;
  });
  const std::size_t peak = max_rss_while(daemon_->pid(), [&] { return !done; });
  runner.join();
  EXPECT_EQ(reply["stdout_bytes"], 1ull << 30);
  EXPECT_EQ(reply["truncated_bytes"], (1ull << 30) - (64u << 10));
  EXPECT_LT(peak, before + (16u << 20)) << "rss before " << before << " peak " << peak;
}

TEST_F(OutputTest, StalledStreamingClientCannotMakeTheDaemonBuffer) {
  auto s = spawn_session(*client_);
  const std::size_t before = testlib::rss_bytes(daemon_->pid());
  // Ask for a gibibyte of streamed output and never read a byte of it.
  ASSERT_TRUE(client_->send("exec_command", {{"request_id", "stall-1"},
                                             {"session_id", s},
                                             {"command", "head -c 1073741824 /dev/zero"},
                                             {"stream", true}}));
  std::size_t peak = 0;
  for (int i = 0; i < 100; ++i) {  // two seconds of samples
    peak = std::max(peak, testlib::rss_bytes(daemon_->pid()));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LT(peak, before + (16u << 20)) << "rss before " << before << " peak " << peak;
  // The command is held back, not finished, and the daemon still serves others.
  auto other = connect();
  auto list = other.request("list_sessions", {{"request_id", "l-1"}});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->payload["sessions"][0]["running"], true);
  auto killed = other.request("kill_session", {{"request_id", "k-1"}, {"session_id", s}});
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->payload["killed"], true);
}

}  // namespace
}  // namespace oxydra::shell_daemon_test
