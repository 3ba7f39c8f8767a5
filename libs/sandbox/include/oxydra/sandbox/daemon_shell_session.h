#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "oxydra/sandbox/daemon_client.h"
#include "oxydra/sandbox/shell_session.h"

namespace oxydra::sandbox {

// A shell session inside the shell daemon, reached through a DaemonClient that
// any number of sessions may share. The session belongs to the daemon: it
// survives a reconnect to the same daemon. If the daemon restarted, calls fail
// with `unknown_session` (without reaching the new daemon, whose session ids
// start over) until spawn() is called again. Destroying the object kills the
// daemon-side session (best effort, without waiting).
class DaemonShellSession final : public ShellSession {
 public:
  explicit DaemonShellSession(std::shared_ptr<DaemonClient> client);
  ~DaemonShellSession() override;
  DaemonShellSession(const DaemonShellSession&) = delete;
  DaemonShellSession& operator=(const DaemonShellSession&) = delete;

  Availability status() const override;
  Result<void> spawn(const SpawnOptions& options) override;
  // With on_output the daemon streams `output` events; the result's text is
  // then read back from the daemon too, or kept client-side (head and tail) if
  // the daemon retained none. The wait for the reply is bounded by the
  // command's timeout plus the client's request_timeout.
  Result<ExecResult> exec(const ExecOptions& options) override;
  Result<OutputChunk> read_output(std::optional<std::uint64_t> max_bytes) override;
  Result<bool> cancel() override;
  Result<void> kill() override;
  std::optional<std::string> id() const override;

  const std::shared_ptr<DaemonClient>& client() const { return client_; }

 private:
  struct Target {
    std::string session_id;
    std::uint64_t epoch = 0;  // the daemon instance that owns it
  };
  Result<Target> target() const;
  CallOptions pinned(const Target& target) const;
  // Pulls stream_output until eof into the two texts; false if nothing came.
  Result<bool> drain_output(const Target& target, std::string& out, std::string& err);
  void on_exec_sent(const std::string& request_id);
  void send_cancel(const std::string& request_id);
  void release(const Target& target);

  std::shared_ptr<DaemonClient> client_;
  mutable std::mutex mu_;
  std::optional<std::string> session_id_;
  std::uint64_t epoch_ = 0;
  // The running exec, for cancel(): its request id once sent, and whether a
  // cancel was asked for (possibly before the id was known) or already sent.
  bool running_ = false;
  std::optional<std::string> exec_request_id_;
  bool cancel_requested_ = false;
  bool cancel_sent_ = false;
  std::stop_source exec_stop_;  // requested by cancel(): bounds the exec's wait
};

}  // namespace oxydra::sandbox
