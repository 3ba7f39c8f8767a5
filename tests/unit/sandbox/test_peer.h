#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/sandbox/daemon_client.h"
#include "oxydra/testlib/temp_dir.h"
#include "oxydra/types/frame.h"
#include "oxydra/types/message.h"

namespace oxydra::sandbox::testing {

// Short prefix: socket paths inside must fit in sun_path.
struct TempDir : testlib::TempDir {
  TempDir() : testlib::TempDir("oxs") {}
};

// One accepted connection, seen from the peer's side (blocking I/O).
class PeerConnection {
 public:
  explicit PeerConnection(int fd) : fd_(fd), decoder_(kShellMaxFrame) {}
  int fd() const { return fd_; }
  // A line without its '\n'; nullopt at EOF.
  std::optional<std::string> read_line();
  // The next message; nullopt at EOF.
  std::optional<Message> read_message();
  bool write_raw(const std::string& bytes);
  bool write_message(std::string_view op, const nlohmann::json& payload);
  void close();

 private:
  int fd_;
  FrameDecoder decoder_;
};

// Listens on a Unix socket and runs `on_connection(conn, index)` for each
// accepted connection on its own thread (index counts from 0).
class TestPeer {
 public:
  using OnConnection = std::function<void(PeerConnection&, int index)>;
  TestPeer(std::string path, OnConnection on_connection);
  ~TestPeer();  // stops: closes the listener and every connection, joins
  int connections() const { return accepted_.load(); }
  void stop();

 private:
  void accept_loop();

  std::string path_;
  OnConnection on_connection_;
  int listen_fd_ = -1;
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
  bool stopped_ = false;
};

// The sessions of one daemon instance, shared by its connections.
struct DaemonState {
  std::mutex mu;
  int next_session = 0;
  std::set<std::string> sessions;
  std::optional<std::string> instance;     // sent in hello when set
  std::vector<std::string> exec_sessions;  // session_id of every exec_command seen
};

// The daemon side of the RPC, enough for client tests: answers hello, spawn,
// exec (exit 0, `output` events when streaming), stream_output (eof), cancel,
// kill_session and list_sessions. `hook` sees each request first; true means
// it handled it. Connections that share `state` are one daemon instance.
struct BasicDaemon {
  std::function<bool(PeerConnection&, const Message&)> hook;
  int protocol_version = 1;
  std::shared_ptr<DaemonState> state = std::make_shared<DaemonState>();
  void serve(PeerConnection& conn) const;
};

// A client with generous deadlines (only there to turn a hang into a failure).
std::shared_ptr<DaemonClient> connect_test_client(const std::string& socket_path);

nlohmann::json hello_reply(const std::string& request_id, int protocol_version = 1,
                           const std::optional<std::string>& instance = std::nullopt);

}  // namespace oxydra::sandbox::testing
