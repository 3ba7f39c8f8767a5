#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "oxydra/testlib/frame_client.h"
#include "oxydra/testlib/proc_scan.h"
#include "oxydra/testlib/shell_daemon_process.h"

namespace oxydra::shell_daemon_test {

using namespace std::chrono_literals;
using nlohmann::json;
using testlib::FrameClient;

// A unique request id per call: "r-1", "r-2", ...
std::string next_id();

// A started daemon plus a connected client; fails the test when either is not.
class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override;
  void start(std::vector<std::string> args);
  FrameClient connect();

  std::unique_ptr<testlib::ShellDaemonProcess> daemon_;
  std::optional<FrameClient> client_;
};

// Requests that must succeed; each returns the reply payload.
std::string spawn_session(FrameClient& c, json extra = json::object());
json exec(FrameClient& c, const std::string& session, const std::string& command,
          json extra = json::object());
// All pending output of a session via stream_output until eof.
struct Pulled {
  std::string out;
  std::string err;
  int chunks = 0;
};
Pulled pull(FrameClient& c, const std::string& session,
            std::optional<std::uint64_t> max_bytes = {});

// Reads `output` events for `request_id` until its exec_command reply; the
// reply payload, with the concatenated data in `out`/`err`.
json collect_stream(FrameClient& c, const std::string& request_id, Pulled& data,
                    std::chrono::milliseconds timeout = 120s);

// The first `output` event for `request_id` (e.g. the shell's `echo $$`).
std::optional<json> first_output(FrameClient& c, const std::string& request_id);

// Processes in group `pgid` that are left after waiting (empty when none).
std::vector<testlib::ProcInfo> survivors_in_group(pid_t pgid);

}  // namespace oxydra::shell_daemon_test
