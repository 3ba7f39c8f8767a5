// shell-daemon: runs shell commands for Oxydra's agent (docs/protocol.md §4).

#include <CLI/CLI.hpp>

#include "oxydra/logging/cli.h"
#include "oxydra/logging/logging.h"
#include "oxydra/shell_daemon/server.h"

int main(int argc, char** argv) {
  oxydra::shell_daemon::ServerOptions options;
  oxydra::logging::Options log;
  log.program = "shell-daemon";
  std::int64_t vsock_port = -1;
  std::int64_t kill_grace_ms = options.kill_grace.count();

  CLI::App app{"Oxydra shell daemon: sessions and commands over a framed JSON socket"};
  app.add_option("--socket", options.socket_path,
                 "Unix socket to listen on (mode 0600; a stale socket is replaced)");
  app.add_option("--vsock-port", vsock_port, "AF_VSOCK port to listen on (any CID)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{0xffffffff}));
  app.add_option("--serial", options.serial_path,
                 "Device to serve as one stream, e.g. a virtio-serial port (opened once)");
  app.add_option("--max-sessions", options.max_sessions, "Most sessions at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-output-bytes", options.max_output_bytes,
                 "Output kept per command (head + tail), default and upper bound")
      ->capture_default_str();
  app.add_option("--max-frame-bytes", options.max_frame_bytes, "Largest frame accepted or sent")
      ->capture_default_str()
      ->check(
          CLI::Range(std::size_t{oxydra::shell_daemon::kMinFrameBytes}, std::size_t{0xffffffff}));
  app.add_option("--kill-grace-ms", kill_grace_ms,
                 "Between SIGTERM and SIGKILL when a command is stopped")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{600000}));
  app.add_option("--shell", options.default_shell, "Shell for sessions that name none")
      ->capture_default_str();
  oxydra::logging::add_flags(app, log);
  CLI11_PARSE(app, argc, argv);

  if (vsock_port >= 0) options.vsock_port = static_cast<std::uint32_t>(vsock_port);
  options.kill_grace = std::chrono::milliseconds(kill_grace_ms);
  oxydra::logging::setup(log);
  return oxydra::shell_daemon::run(options);
}
