#include "cli/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemon/runner_lock.h"
#include "oxydra/sys/backoff.h"
#include "oxydra/sys/io.h"
#include "oxydra/sys/peer_cred.h"
#include "oxydra/sys/unix_connect.h"
#include "oxydra/types/frame.h"

namespace oxydra::runner {

using sys::Clock;

std::string control_socket_path(const WorkspaceLayout& layout) {
  return (layout.control / "runner-control.sock").string();
}

namespace {

// The CLI may be root: it must not talk to a socket that a guest or another
// local user put in the runner's place. The directory and the socket must be
// the runner's uid's (root, or ours when the runner runs unprivileged), the
// directory writable by nobody else, and the process at the other end must be
// the runner that holds the user's lock.
Result<void> verify_runner(const std::string& path, int fd, std::optional<pid_t> holder) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  struct stat dir_st {};
  struct stat socket_st {};
  if (::lstat(dir.c_str(), &dir_st) != 0) return tl::unexpected(errno_error("stat " + dir, errno));
  if (::lstat(path.c_str(), &socket_st) != 0)
    return tl::unexpected(errno_error("stat " + path, errno));
  const auto trusted = [](uid_t uid) { return uid == 0 || uid == ::geteuid(); };
  const auto refuse = [&](const std::string& why) -> Result<void> {
    return fail(ErrorCode::peer_refused, "control socket " + path + ": " + why +
                                             "; not talking to it (is something impersonating "
                                             "the runner?)");
  };
  if (!S_ISDIR(dir_st.st_mode) || !trusted(dir_st.st_uid) || (dir_st.st_mode & 0022) != 0)
    return refuse("its directory is not the runner's (owner uid " + std::to_string(dir_st.st_uid) +
                  ", writable by others or not a directory)");
  if (!S_ISSOCK(socket_st.st_mode) || socket_st.st_uid != dir_st.st_uid)
    return refuse("owned by uid " + std::to_string(socket_st.st_uid) + ", not the runner's");
  auto peer = sys::peer_cred(fd);
  if (!peer) return tl::unexpected(errno_error("SO_PEERCRED " + path, errno));
  if (peer->uid != dir_st.st_uid)
    return refuse("served by uid " + std::to_string(peer->uid) + ", not the runner's");
  if (holder && peer->pid != *holder)
    return refuse("served by pid " + std::to_string(peer->pid) +
                  ", but the runner holding the "
                  "user's lock is pid " +
                  std::to_string(*holder));
  return {};
}

}  // namespace

Result<ControlClient> ControlClient::connect(const Selection& selection,
                                             std::chrono::milliseconds timeout) {
  const std::string path = control_socket_path(selection.layout);
  const auto deadline = Clock::now() + timeout;
  sys::Backoff backoff(std::chrono::milliseconds(50), std::chrono::milliseconds(50));
  for (;;) {
    std::error_code error;
    sys::UniqueFd fd = sys::connect_unix_once(path, deadline, sys::FdMode::blocking, error);
    auto holder = RunnerLock::holder(lock_file(selection.layout.root));
    if (fd) {
      if (auto verified = verify_runner(path, fd.get(), holder); !verified)
        return tl::unexpected(verified.error());
      return ControlClient(std::move(fd));
    }
    // The runner's directories are closed to anyone but root and the
    // operator group: without access its state cannot be known, only refused.
    if (error == std::errc::permission_denied) {
      return fail(ErrorCode::peer_refused,
                  "connect " + path + ": " + error.message() +
                      " (only root and members of the runner's operator group may ask it)");
    }
    if (!holder) {
      return fail(ErrorCode::not_running, "user " + selection.user_id + " is not running");
    }
    if (!backoff.pause_before(deadline)) {  // it may be starting up
      return fail(ErrorCode::not_answering, "user " + selection.user_id + "'s runner (pid " +
                                                std::to_string(*holder) +
                                                ") holds the lock but its control socket " + path +
                                                " does not answer: " + error.message());
    }
  }
}

Result<Message> ControlClient::call(std::string_view op, nlohmann::json payload,
                                    std::chrono::milliseconds timeout) {
  const std::string request_id = "cli-" + std::to_string(++next_id_);
  payload["request_id"] = request_id;
  const std::string frame = encode_message(op, payload);
  if (const int err = sys::write_all(fd_.get(), frame)) {
    return tl::unexpected(errno_error("send to the runner's control socket", err));
  }
  FrameDecoder decoder(kControlMaxResponseFrame);
  const auto deadline = Clock::now() + timeout;
  char buffer[16384];
  for (;;) {
    if (auto event = decoder.next()) {
      if (event->kind != FrameEvent::Kind::frame) {
        return fail(ErrorCode::invalid_response, "the runner sent an invalid frame");
      }
      auto message = parse_message(event->payload);
      if (!message) return tl::unexpected(message.error());
      if (request_id_of(message->payload) != request_id) continue;
      if (message->op == "error") {
        return fail(error_code_from_string(message->payload.value("code", "internal")),
                    message->payload.value("message", "error from the runner"));
      }
      return message;
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, sys::poll_timeout_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0)
      return fail(ErrorCode::timeout, "the runner did not answer " + std::string(op) + " in time");
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(ErrorCode::connection_lost, "the runner closed its control connection");
    decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
}

bool ControlClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char buffer[4096];
  for (;;) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, sys::poll_timeout_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
  }
}

}  // namespace oxydra::runner
