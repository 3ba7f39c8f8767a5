#include "backends/container/docker/docker_backend.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "backends/container/bootstrap_listener.h"
#include "backends/container/container_enforcement.h"
#include "backends/container/container_guest.h"
#include "backends/container/docker/docker_api.h"
#include "backends/container/guest_ids.h"
#include "backends/container/guest_ownership.h"
#include "backends/container/oci/oci_config.h"
#include "backends/envelope_delivery.h"
#include "backends/stale_files.h"
#include "daemon/envelope_builder.h"
#include "oxydra/sys/io.h"

#ifndef OXYDRA_VERSION
#error "OXYDRA_VERSION must be defined by the build"
#endif

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sys::UniqueFd;

constexpr std::uint64_t kMiB = 1024 * 1024;

constexpr const char* kUserLabel = "org.oxydra.user";
constexpr const char* kRoleLabel = "org.oxydra.role";

// The Docker daemon as the runner found it at start.
struct DaemonFacts {
  // The host id the daemon maps guest id 0 to (its --userns-remap range), 0
  // when containers share the host's user namespace.
  std::uint32_t id_base = 0;
  bool userns_remap = false;
  bool cgroupfs = false;  // cgroup parents are paths (else systemd slices)
};

Result<DaemonFacts> read_daemon_facts(const DockerApi& api) {
  auto info = api.call("GET", "/info", nullptr, std::chrono::seconds(10));
  if (!info) return tl::unexpected(info.error());
  DaemonFacts facts;
  facts.cgroupfs = info->value("CgroupDriver", "") == "cgroupfs";
  for (const auto& option : info->value("SecurityOptions", json::array())) {
    if (option.is_string() && option.get<std::string>() == "name=userns") facts.userns_remap = true;
  }
  if (facts.userns_remap) {
    // With --userns-remap the data root is <data-root>/<uid>.<gid> of the
    // range's first id, which is what guest root maps to.
    const std::string root = fs::path(info->value("DockerRootDir", "")).filename();
    char* end = nullptr;
    const unsigned long base = std::strtoul(root.c_str(), &end, 10);
    if (end == root.c_str() || *end != '.') {
      return fail("docker_error",
                  "docker: GET /info: the daemon remaps user ids but its data root " +
                      info->value("DockerRootDir", "") + " does not name the range (<uid>.<gid>)");
    }
    facts.id_base = static_cast<std::uint32_t>(base);
  }
  return facts;
}

// Docker, not the runner, is the guests' parent, so nothing ties them to the
// runner's life. The watchdog is a forked process outside the runner's
// session that holds the read end of a pipe; the runner writes each
// container id it creates into it. When the runner exits, however it dies,
// the pipe reads end of file and the watchdog removes those containers
// (DELETE ?force=1, by id, so a later runner's guests are never touched).
// Forked from a process that may have threads: the child only makes system
// calls on memory prepared before the fork.
class Watchdog {
 public:
  static Result<Watchdog> start(const std::string& socket);
  void watch(const std::string& id) const {
    const std::string line = id + "\n";
    sys::write_all(write_end_.get(), line);  // a watchdog gone means nothing left to tell
  }

 private:
  explicit Watchdog(UniqueFd write_end) : write_end_(std::move(write_end)) {}
  UniqueFd write_end_;
};

constexpr std::size_t kWatchedMax = 32;
constexpr std::size_t kIdLength = 64;

[[noreturn]] void watchdog_main(int read_end, const sockaddr_un& address) {
  char ids[kWatchedMax][kIdLength + 1] = {};
  std::size_t next = 0, used = 0;
  char line[kIdLength + 2];
  std::size_t length = 0;
  char byte = 0;
  for (;;) {
    const ssize_t n = ::read(read_end, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (byte != '\n') {
      if (length < sizeof line - 1) line[length++] = byte;
      continue;
    }
    if (length == kIdLength) {
      std::memcpy(ids[next], line, kIdLength);
      ids[next][kIdLength] = '\0';
      next = (next + 1) % kWatchedMax;
      if (used < kWatchedMax) ++used;
    }
    length = 0;
  }
  static constexpr char kPrefix[] = "DELETE /v1.41/containers/";
  static constexpr char kSuffix[] = "?force=1 HTTP/1.0\r\nHost: docker\r\n\r\n";
  for (std::size_t i = 0; i < used; ++i) {
    char request[sizeof kPrefix + kIdLength + sizeof kSuffix];
    std::size_t at = 0;
    std::memcpy(request + at, kPrefix, sizeof kPrefix - 1);
    at += sizeof kPrefix - 1;
    std::memcpy(request + at, ids[i], kIdLength);
    at += kIdLength;
    std::memcpy(request + at, kSuffix, sizeof kSuffix - 1);
    at += sizeof kSuffix - 1;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      sys::write_all(fd, std::string_view(request, at));
      char reply[512];
      while (::read(fd, reply, sizeof reply) > 0) {
      }
    }
    ::close(fd);
  }
  ::_exit(0);
}

Result<Watchdog> Watchdog::start(const std::string& socket) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.size() >= sizeof address.sun_path) {
    return fail("invalid_config", "docker socket path " + socket + " is too long");
  }
  std::memcpy(address.sun_path, socket.c_str(), socket.size() + 1);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return tl::unexpected(errno_error("pipe for the docker guests' watchdog", errno));
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return tl::unexpected(errno_error("fork the docker guests' watchdog", errno));
  if (pid == 0) {
    ::setsid();
    const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; ++fd)
      ::dup2(null_fd, fd);
    // Nothing of the runner's (its lock above all) may outlive it here.
    if (read_end.get() != 3) ::dup2(read_end.get(), 3);
    ::close_range(4, ~0U, 0);
    watchdog_main(3, address);
  }
  return Watchdog(std::move(write_end));
}

// Pumps one container's log stream into the pipes the runner's GuestOutput reads.
struct LogPump {
  std::unique_ptr<std::atomic<bool>> cancel = std::make_unique<std::atomic<bool>>(false);
  std::thread thread;

  void finish() {
    if (!thread.joinable()) return;
    *cancel = true;
    thread.join();
  }
};

class DockerBackend final : public Backend {
 public:
  DockerBackend(const BackendContext& context, DockerApi api, DaemonFacts facts, Watchdog watchdog)
      : context_(context), api_(std::move(api)), facts_(facts), watchdog_(std::move(watchdog)) {}
  ~DockerBackend() override {
    for (auto& [role, pump] : pumps_)
      pump.finish();
  }

  SandboxTier tier() const override { return SandboxTier::container; }
  bool has_sidecar() const override { return true; }
  std::vector<DegradedReason> tier_degraded() const override { return {}; }
  std::optional<uid_t> data_owner() const override { return guest_owner(); }

  Result<void> clean_stale() override;
  Result<SidecarStart> start_sidecar() override;
  Result<GuestHandle> start_runtime(const EnvelopeFactory& make_envelope) override;
  void stop(const GuestHandle& guest, std::chrono::milliseconds grace) override;
  std::optional<GuestExit> poll_exit(const GuestHandle& guest) override;

 private:
  const UserPolicy& policy() const { return context_.policy; }
  std::string container_name(GuestRole role) const {
    return runner::container_name(policy().user_id, role);
  }
  std::string image(GuestRole role) const {
    const auto& c = context_.runner.container;
    if (role == GuestRole::sidecar) {
      return c.shell_vm_image.empty() ? std::string("oxydra-shell-vm:") + OXYDRA_VERSION
                                      : c.shell_vm_image;
    }
    return c.oxydra_vm_image.empty() ? std::string("oxydra-vm:") + OXYDRA_VERSION
                                     : c.oxydra_vm_image;
  }
  uid_t guest_owner() const { return facts_.id_base + kGuestUid; }
  fs::path shell_ipc() const { return shell_ipc_dir(policy()); }
  fs::path bootstrap_socket() const { return policy().layout.ipc / "bootstrap.sock"; }

  OciGuest guest_spec(GuestRole role) const;
  json create_body(GuestRole role, const OciGuest& spec) const;
  Result<void> prepare_directories() const;
  Result<void> remove(const std::string& name_or_id) const;
  Result<std::pair<GuestHandle, pid_t>> launch(GuestRole role, const OciGuest& spec);
  void pump_logs(GuestRole role, const std::string& id);
  // The container's state, or nullopt once it is gone.
  Result<std::optional<json>> inspect(const std::string& id) const;

  const BackendContext context_;
  DockerApi api_;
  DaemonFacts facts_;
  Watchdog watchdog_;
  std::map<GuestRole, LogPump> pumps_;
  bool poll_failed_ = false;
};

OciGuest DockerBackend::guest_spec(GuestRole role) const {
  // No lifeline: Docker cannot pass the runner's descriptor to the guest.
  OciGuest guest = container_guest(role, policy(), std::nullopt);
  guest.ids = {facts_.id_base, facts_.userns_remap ? kGuestIdCount : 0};
  // Docker refuses the host's network in a remapped user namespace, so such a
  // guest (oxydra-vm, a shell-vm with shell_network) runs in the host's, as
  // the unprivileged host uid that owns the user's directories (what uid 1000
  // of a remapped guest is outside).
  if (facts_.userns_remap && !guest.own_network) {
    guest.uid = guest_owner();
    guest.gid = guest_owner();
    guest.ids = {0, 0};
  }
  return guest;
}

json DockerBackend::create_body(GuestRole role, const OciGuest& spec) const {
  json binds = json::array();
  for (const auto& bind : spec.binds) {
    binds.push_back(bind.source.string() + ":" + bind.destination +
                    (bind.read_only ? ":ro" : ":rw"));
  }
  const auto memory = static_cast<std::int64_t>(spec.resources.max_memory_mib * kMiB);
  json host = {
      {"Binds", binds},
      {"NetworkMode", spec.own_network ? "none" : "host"},
      {"ReadonlyRootfs", true},
      {"CapDrop", {"ALL"}},
      {"SecurityOpt", {"no-new-privileges:true", "seccomp=" + container_seccomp_profile().dump()}},
      {"Memory", memory},
      {"MemorySwap", memory},
      {"PidsLimit", spec.resources.max_processes},
      {"NanoCpus", static_cast<std::int64_t>(spec.resources.max_vcpus) * 1000000000},
      {"IpcMode", "private"},
      {"Init", false},
      {"RestartPolicy", {{"Name", "no"}}},
      {"LogConfig", {{"Type", "json-file"}, {"Config", {{"max-size", "10m"}, {"max-file", "1"}}}}},
      {"Ulimits", {{{"Name", "nofile"}, {"Soft", 4096}, {"Hard", 4096}}}},
  };
  if (facts_.cgroupfs) host["CgroupParent"] = "/oxydra";
  if (facts_.userns_remap && !spec.own_network) host["UsernsMode"] = "host";
  json body = {
      {"Image", image(role)},
      {"Entrypoint", spec.args},
      {"Cmd", json::array()},
      {"User", std::to_string(spec.uid) + ":" + std::to_string(spec.gid)},
      {"Env", spec.env},
      {"WorkingDir", spec.cwd},
      {"Labels", {{kUserLabel, policy().user_id}, {kRoleLabel, container_role_name(role)}}},
      {"AttachStdin", false},
      {"AttachStdout", false},
      {"AttachStderr", false},
      {"Tty", false},
      {"OpenStdin", false},
      {"HostConfig", host},
  };
  // Docker refuses a hostname of its own on the host's network.
  if (spec.own_network) body["Hostname"] = spec.hostname;
  return body;
}

Result<void> DockerBackend::prepare_directories() const {
  const UserPolicy& p = policy();
  const uid_t owner = guest_owner();
  std::error_code ec;
  fs::create_directory(shell_ipc(), ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + shell_ipc().string(), ec.value()));
  ::chmod(shell_ipc().c_str(), 0700);
  for (const fs::path& dir :
       {p.shared, p.tmp, p.vault, p.layout.ipc, shell_ipc(), p.layout.internal}) {
    if (auto given = give_to_guest(dir, owner, owner); !given) return given;
  }
  if (::chmod(p.layout.root.c_str(), 0711) != 0) {
    return tl::unexpected(errno_error("chmod 0711 " + p.layout.root.string(), errno));
  }
  return {};
}

Result<void> DockerBackend::remove(const std::string& name_or_id) const {
  const std::string path = "/containers/" + name_or_id + "?force=1";
  auto response = api_.request("DELETE", path);
  if (!response) return tl::unexpected(response.error());
  // 404: already gone; 409: its removal is already in progress.
  if (response->status == 404 || response->status == 409 ||
      (response->status >= 200 && response->status < 300)) {
    return {};
  }
  return tl::unexpected(docker_error("DELETE", path, *response));
}

Result<std::optional<json>> DockerBackend::inspect(const std::string& id) const {
  const std::string path = "/containers/" + id + "/json";
  auto response = api_.request("GET", path, nullptr, std::chrono::seconds(10));
  if (!response) return tl::unexpected(response.error());
  if (response->status == 404) return std::optional<json>();
  if (response->status != 200) return tl::unexpected(docker_error("GET", path, *response));
  auto parsed = json::parse(response->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return fail("docker_error", "docker: GET " + path + ": the daemon's answer is not JSON");
  }
  return std::optional<json>(std::move(parsed));
}

void DockerBackend::pump_logs(GuestRole role, const std::string& id) {
  auto& pump = pumps_[role];
  pump.finish();
  pump = LogPump{};
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    spdlog::warn("{}: no log capture: pipe: {}", container_name(role), std::strerror(errno));
    return;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    spdlog::warn("{}: no log capture: pipe: {}", container_name(role), std::strerror(errno));
    ::close(out[0]);
    ::close(out[1]);
    return;
  }
  context_.output.attach(role, GuestStream::stdout_stream, UniqueFd(out[0]));
  context_.output.attach(role, GuestStream::stderr_stream, UniqueFd(err[0]));
  pump.thread =
      std::thread([api = api_, id, name = container_name(role), cancel = pump.cancel.get(),
                   out_fd = UniqueFd(out[1]), err_fd = UniqueFd(err[1])]() {
        DockerStreamDemuxer demux([&](int stream, std::string_view payload) {
          sys::write_all(stream == 2 ? err_fd.get() : out_fd.get(), payload);
        });
        auto streamed = api.stream(
            "/containers/" + id + "/logs?follow=1&stdout=1&stderr=1",
            [&](std::string_view bytes) { demux.feed(bytes); }, *cancel);
        if (!streamed) spdlog::warn("{}: log stream ended: {}", name, streamed.error().message);
      });
}

Result<std::pair<GuestHandle, pid_t>> DockerBackend::launch(GuestRole role, const OciGuest& spec) {
  const std::string name = container_name(role);
  if (auto removed = remove(name); !removed) {
    return tl::unexpected(with_context(removed.error(), "remove the old " + name));
  }
  const json body = create_body(role, spec);
  auto created = api_.call("POST", "/containers/create?name=" + name, &body);
  if (!created) return tl::unexpected(with_context(created.error(), "create " + name));
  const std::string id = created->value("Id", "");
  if (id.empty()) return fail("docker_error", "create " + name + ": the daemon returned no Id");
  watchdog_.watch(id);
  for (const auto& warning : created->value("Warnings", json::array())) {
    if (warning.is_string()) spdlog::warn("{}: docker: {}", name, warning.get<std::string>());
  }
  auto started = api_.request("POST", "/containers/" + id + "/start");
  if (!started || (started->status != 204 && started->status != 304)) {
    Error error =
        started ? docker_error("POST", "/containers/" + id + "/start", *started) : started.error();
    (void)remove(id);
    return tl::unexpected(with_context(error, "start " + name));
  }
  pump_logs(role, id);

  GuestHandle guest;
  guest.role = role;
  guest.guest_id = id;
  guest.describe =
      container_role_name(role) + " (docker container " + name + ", " + id.substr(0, 12) + ")";
  auto state = inspect(id);
  if (!state) {
    (void)remove(id);
    return tl::unexpected(with_context(state.error(), "start " + name));
  }
  const json running = *state ? (**state)["State"] : json::object();
  const pid_t pid = running.value("Pid", 0);
  if (!running.value("Running", false) || pid <= 0) {
    const int code = running.value("ExitCode", -1);
    return fail("guest_exited", name + " exited with status " + std::to_string(code) +
                                    " while starting; its messages are in `oxydra-runner logs "
                                    "--role " +
                                    std::string(to_string(role)) + "`");
  }
  return std::make_pair(std::move(guest), pid);
}

Result<void> DockerBackend::clean_stale() {
  const json filters = {{"label", {std::string(kUserLabel) + "=" + policy().user_id}}};
  std::string query;
  for (char c : filters.dump()) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      query += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      query += hex;
    }
  }
  auto listed = api_.call("GET", "/containers/json?all=1&filters=" + query);
  if (!listed) return tl::unexpected(with_context(listed.error(), "list stale guests"));
  std::vector<std::string> stale = {container_name(GuestRole::sidecar),
                                    container_name(GuestRole::runtime)};
  for (const auto& container : *listed) {
    // The label filter matches the user id exactly; names are checked too.
    if (container.contains("Id")) stale.push_back(container["Id"].get<std::string>());
  }
  for (const auto& id : stale) {
    if (auto removed = remove(id); !removed) {
      return tl::unexpected(with_context(removed.error(), "remove stale guest " + id));
    }
  }
  for (const fs::path& socket : {fs::path(gateway_socket(policy().layout)),
                                 shell_ipc() / "shell.sock", bootstrap_socket()}) {
    std::error_code ec;
    if (!fs::exists(socket, ec)) continue;
    if (auto removed = remove_stale_socket(socket.string()); !removed) return removed;
  }
  return {};
}

Result<SidecarStart> DockerBackend::start_sidecar() {
  if (auto prepared = prepare_directories(); !prepared) return tl::unexpected(prepared.error());
  const OciGuest spec = guest_spec(GuestRole::sidecar);
  ::unlink((shell_ipc() / "shell.sock").c_str());
  auto launched = launch(GuestRole::sidecar, spec);
  if (!launched) return tl::unexpected(launched.error());
  GuestHandle& guest = launched->first;
  auto measured = measure_container_guest(launched->second, spec);
  guest.enforcement = std::move(measured.report);
  guest.degraded = std::move(measured.degraded);

  SidecarStart start;
  start.guest = std::move(guest);
  start.endpoint = {ChannelTransport::unix_socket,
                    std::string(kGuestWorkspace) + "/ipc/shell/shell.sock"};
  start.host_endpoint = {ChannelTransport::unix_socket, (shell_ipc() / "shell.sock").string()};
  return start;
}

Result<GuestHandle> DockerBackend::start_runtime(const EnvelopeFactory& make_envelope) {
  if (auto prepared = prepare_directories(); !prepared) return tl::unexpected(prepared.error());
  const uid_t owner = guest_owner();
  auto listener = BootstrapListener::open(bootstrap_socket().string(), owner, owner);
  if (!listener) return tl::unexpected(listener.error());
  const OciGuest spec = guest_spec(GuestRole::runtime);
  auto launched = launch(GuestRole::runtime, spec);
  if (!launched) return tl::unexpected(launched.error());
  GuestHandle& guest = launched->first;

  auto fail_start = [&](const Error& error) -> Result<GuestHandle> {
    stop(guest, std::chrono::milliseconds(0));
    return tl::unexpected(error);
  };
  auto connection =
      listener->accept_one(std::chrono::seconds(context_.runner.supervision.startup_timeout_secs),
                           [&]() -> std::optional<std::string> {
                             if (auto exit = poll_exit(guest)) {
                               return guest.describe + " " + exit->describe();
                             }
                             return std::nullopt;
                           });
  if (!connection) return fail_start(connection.error());
  auto measured = measure_container_guest(launched->second, spec);
  guest.enforcement = std::move(measured.report);
  guest.degraded = std::move(measured.degraded);

  auto envelope = make_envelope(guest);
  if (!envelope) return fail_start(envelope.error());
  auto sent = deliver_to_container(
      connection->get(), std::move(*envelope), kGuestWorkspace,
      std::chrono::seconds(context_.runner.supervision.startup_timeout_secs), guest.describe);
  if (!sent) return fail_start(sent.error());
  return std::move(guest);
}

void DockerBackend::stop(const GuestHandle& guest, std::chrono::milliseconds grace) {
  const std::string target = guest.guest_id.value_or(container_name(guest.role));
  if (grace.count() > 0) {
    // Docker sends TERM to the guest's init (which forwards it), KILL after t.
    const auto seconds = (grace.count() + 999) / 1000;
    auto stopped =
        api_.request("POST", "/containers/" + target + "/stop?t=" + std::to_string(seconds),
                     nullptr, grace + std::chrono::seconds(30));
    if (!stopped) {
      spdlog::warn("{}: {}", guest.describe, stopped.error().message);
    } else if (stopped->status != 204 && stopped->status != 304 && stopped->status != 404) {
      spdlog::warn("{}: {}", guest.describe,
                   docker_error("POST", "/containers/" + target + "/stop", *stopped).message);
    }
  }
  if (auto removed = remove(target); !removed) {
    spdlog::warn("{}: {}", guest.describe, removed.error().message);
  }
  if (auto it = pumps_.find(guest.role); it != pumps_.end()) it->second.finish();
}

std::optional<GuestExit> DockerBackend::poll_exit(const GuestHandle& guest) {
  if (!guest.guest_id) return std::nullopt;
  auto state = inspect(*guest.guest_id);
  if (!state) {
    // The daemon being away says nothing about the guest; say so once.
    if (!poll_failed_) spdlog::warn("{}: {}", guest.describe, state.error().message);
    poll_failed_ = true;
    return std::nullopt;
  }
  poll_failed_ = false;
  GuestExit exit;
  if (!*state) return exit;  // removed behind the runner's back
  const json& s = (**state)["State"];
  if (s.value("Running", false)) return std::nullopt;
  const std::string status = s.value("Status", "");
  if (status == "created") return std::nullopt;
  exit.exit_code = s.value("ExitCode", -1);
  if (s.value("OOMKilled", false)) exit.signal = 9;
  return exit;
}

}  // namespace

Result<std::unique_ptr<Backend>> make_docker_backend(const BackendContext& context) {
  auto socket = docker_socket_path(context.runner.container.docker_host);
  if (!socket) return tl::unexpected(socket.error());
  DockerApi api(*socket);
  auto facts = read_daemon_facts(api);
  if (!facts) return tl::unexpected(facts.error());
  auto watchdog = Watchdog::start(*socket);
  if (!watchdog) return tl::unexpected(watchdog.error());
  return std::unique_ptr<Backend>(
      new DockerBackend(context, std::move(api), *facts, std::move(*watchdog)));
}

}  // namespace oxydra::runner
