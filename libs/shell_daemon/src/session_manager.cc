#include "session_manager.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace oxydra::shell_daemon {

namespace {

std::string current_dir() {
  char buf[4096];
  return ::getcwd(buf, sizeof(buf)) ? std::string(buf) : std::string("/");
}

// An absolute path as given, or a bare name looked up in $PATH.
Result<std::string> resolve_shell(const std::string& shell) {
  if (shell.find('/') != std::string::npos) {
    if (::access(shell.c_str(), X_OK) != 0) {
      return fail(ErrorCode::spawn_failed, errno_error("shell " + shell, errno).message);
    }
    return shell;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + shell;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return fail(ErrorCode::spawn_failed, "shell " + shell + ": not found in PATH");
}

Result<std::string> resolve_cwd(const std::optional<std::string>& requested) {
  std::string cwd = requested.value_or("");
  if (cwd.empty()) return current_dir();
  if (cwd.front() != '/') cwd = current_dir() + "/" + cwd;
  struct stat st;
  if (::stat(cwd.c_str(), &st) != 0) {
    return fail(ErrorCode::spawn_failed, errno_error("cwd " + cwd, errno).message);
  }
  if (!S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::spawn_failed, "cwd " + cwd + ": Not a directory");
  }
  return cwd;
}

// The daemon's own environment with the request's variables on top.
std::vector<std::string> session_env(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (!eq) continue;
    if (overrides.count(std::string(*e, static_cast<std::size_t>(eq - *e)))) continue;
    env.emplace_back(*e);
  }
  for (const auto& [name, value] : overrides)
    env.push_back(name + "=" + value);
  return env;
}

}  // namespace

SessionManager::SessionManager(const asio::any_io_executor& executor, std::size_t max_sessions,
                               std::string default_shell)
    : executor_(executor),
      max_sessions_(max_sessions),
      default_shell_(std::move(default_shell)),
      running_(executor) {}

Result<std::shared_ptr<Session>> SessionManager::create(
    const shell_rpc::SpawnSessionRequest& request) {
  if (sessions_.size() >= max_sessions_) {
    return fail(ErrorCode::too_many_sessions,
                fmt::format("the daemon already has {} sessions (the limit)", sessions_.size()));
  }
  for (const auto& [name, value] : request.env) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return fail(ErrorCode::invalid_request,
                  "payload.env: invalid variable name or value for `" + name + "`");
    }
  }
  auto shell = resolve_shell(request.shell.value_or("").empty() ? default_shell_ : *request.shell);
  if (!shell) return tl::unexpected(shell.error());
  auto cwd = resolve_cwd(request.cwd);
  if (!cwd) return tl::unexpected(cwd.error());
  std::string id = fmt::format("session-{:06}", next_id_++);
  auto session =
      std::make_shared<Session>(executor_, running_, id, std::move(*shell), request.login,
                                std::move(*cwd), session_env(request.env));
  sessions_.emplace(id, session);
  return session;
}

std::shared_ptr<Session> SessionManager::find(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<Session> SessionManager::remove(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  auto session = std::move(it->second);
  sessions_.erase(it);
  std::erase_if(removed_, [](const auto& weak) { return weak.expired(); });
  if (session->running()) removed_.push_back(session);
  return session;
}

std::vector<shell_rpc::SessionInfo> SessionManager::list() const {
  std::vector<shell_rpc::SessionInfo> out;
  out.reserve(sessions_.size());
  for (const auto& [id, session] : sessions_) {
    out.push_back(shell_rpc::SessionInfo{id, session->cwd(), session->running()});
  }
  return out;
}

void SessionManager::stop_all(StopReason reason) {
  for (auto& [id, session] : sessions_)
    session->stop(reason);
  for (auto& weak : removed_) {
    if (auto session = weak.lock()) session->stop(reason);
  }
}

asio::awaitable<void> SessionManager::wait_all_idle() {
  while (running_.count > 0)
    co_await running_.changed.wait();
}

}  // namespace oxydra::shell_daemon
