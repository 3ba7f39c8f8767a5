#include "backends/container/docker/docker_driver.h"
#include "backends/container/docker/docker_replies.h"

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

#include "backends/container/container_guest.h"
#include "backends/container/docker/docker_api.h"
#include "backends/container/docker/docker_log_pump.h"
#include "backends/container/docker/docker_watchdog.h"
#include "backends/container/guest_ids.h"
#include "oxydra/types/guest_images.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

constexpr const char* kUserLabel = "org.oxydra.user";
constexpr const char* kRoleLabel = "org.oxydra.role";

Result<DaemonFacts> read_daemon_facts(const DockerApi& api) {
  auto info = api.call("GET", "/info", nullptr, std::chrono::seconds(10));
  if (!info) return tl::unexpected(info.error());
  return parse_daemon_facts(*info);
}

class DockerDriver final : public ContainerDriver {
 public:
  DockerDriver(const BackendContext& context, DockerApi api, DaemonFacts facts,
               DockerWatchdog watchdog)
      : context_(context), api_(std::move(api)), facts_(facts), watchdog_(std::move(watchdog)) {}

  uid_t guest_owner() const override { return facts_.id_base + kGuestUid; }
  std::optional<uid_t> data_owner() const override { return guest_owner(); }
  OciGuest guest_spec(GuestRole role) const override;
  // The daemon reports a missing image when the container is created.
  Result<void> check_images() const override { return {}; }
  Result<void> remove_stale() override;
  Result<GuestHandle> launch(GuestRole role, const OciGuest& spec) override;
  Result<pid_t> wait_running(GuestHandle& guest, std::chrono::milliseconds timeout) override;
  std::optional<GuestExit> exit_while_starting(GuestHandle& guest) override {
    return poll_exit(guest);
  }
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
      return c.shell_vm_image.empty() ? guest_images::kShellVmImage : c.shell_vm_image;
    }
    return c.oxydra_vm_image.empty() ? guest_images::kOxydraVmImage : c.oxydra_vm_image;
  }

  json create_body(GuestRole role, const OciGuest& spec) const;
  Result<void> remove(const std::string& name_or_id) const;
  // The container's state, or nullopt once it is gone.
  Result<std::optional<json>> inspect(const std::string& id) const;

  const BackendContext context_;
  DockerApi api_;
  DaemonFacts facts_;
  DockerWatchdog watchdog_;
  std::map<GuestRole, DockerLogPump> pumps_;
  bool poll_failed_ = false;
};

OciGuest DockerDriver::guest_spec(GuestRole role) const {
  // No lifeline: Docker cannot pass the runner's descriptor to the guest.
  OciGuest guest = container_guest(role, policy(), std::nullopt);
  guest.ids = {facts_.id_base, kGuestIdCount};
  return guest;
}

json DockerDriver::create_body(GuestRole role, const OciGuest& spec) const {
  json binds = json::array();
  for (const auto& bind : spec.binds) {
    binds.push_back(bind.source.string() + ":" + bind.destination +
                    (bind.read_only ? ":ro" : ":rw"));
  }
  const auto memory = static_cast<std::int64_t>(spec.resources.max_memory_mib * kMiB);
  json host = {
      {"Binds", binds},
      // Every guest has a network namespace of its own with loopback only;
      // egress is the runner's proxy, bound in like any other directory.
      {"NetworkMode", "none"},
      {"ReadonlyRootfs", true},
      {"CapDrop", {"ALL"}},
      {"SecurityOpt",
       {"no-new-privileges:true",
        "seccomp=" + container_seccomp_profile(spec.runtime_seccomp).dump()}},
      {"Memory", memory},
      {"MemorySwap", memory},
      {"PidsLimit", spec.resources.max_processes},
      {"NanoCpus", static_cast<std::int64_t>(spec.resources.max_vcpus) * 1000000000},
      {"IpcMode", "private"},
      {"Init", false},
      {"RestartPolicy", {{"Name", "no"}}},
      {"LogConfig", {{"Type", "json-file"}, {"Config", {{"max-size", "10m"}, {"max-file", "1"}}}}},
      {"Ulimits",
       {{{"Name", "nofile"}, {"Soft", 4096}, {"Hard", 4096}},
        {{"Name", "core"}, {"Soft", 0}, {"Hard", 0}}}},
  };
  if (facts_.cgroupfs) host["CgroupParent"] = "/oxydra";
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
  body["Hostname"] = spec.hostname;
  return body;
}

Result<void> DockerDriver::remove(const std::string& name_or_id) const {
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

Result<std::optional<json>> DockerDriver::inspect(const std::string& id) const {
  const std::string path = "/containers/" + id + "/json";
  auto response = api_.request("GET", path, nullptr, std::chrono::seconds(10));
  if (!response) return tl::unexpected(response.error());
  if (response->status == 404) return std::optional<json>();
  if (response->status != 200) return tl::unexpected(docker_error("GET", path, *response));
  auto parsed = json::parse(response->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return fail(ErrorCode::docker_error,
                "docker: GET " + path + ": the daemon's answer is not JSON");
  }
  return std::optional<json>(std::move(parsed));
}

Result<GuestHandle> DockerDriver::launch(GuestRole role, const OciGuest& spec) {
  const std::string name = container_name(role);
  if (auto removed = remove(name); !removed) {
    return tl::unexpected(with_context(removed.error(), "remove the old " + name));
  }
  const json body = create_body(role, spec);
  auto created = api_.call("POST", "/containers/create?name=" + name, &body);
  if (!created) return tl::unexpected(with_context(created.error(), "create " + name));
  const std::string id = created->value("Id", "");
  if (id.empty())
    return fail(ErrorCode::docker_error, "create " + name + ": the daemon returned no Id");
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
  pumps_[role].start(api_, id, name, role, context_.output);

  GuestHandle guest;
  guest.role = role;
  guest.guest_id = id;
  guest.describe =
      container_role_name(role) + " (docker container " + name + ", " + id.substr(0, 12) + ")";
  return guest;
}

// Docker has started the container when POST /start returns: it runs or it
// has already ended.
Result<pid_t> DockerDriver::wait_running(GuestHandle& guest, std::chrono::milliseconds) {
  const std::string name = container_name(guest.role);
  auto state = inspect(*guest.guest_id);
  if (!state) return tl::unexpected(with_context(state.error(), "start " + name));
  const ContainerState running = *state ? parse_container_state(**state) : ContainerState{};
  const pid_t pid = running.pid;
  if (!running.running || pid <= 0) {
    const int code = running.exit_code;
    return fail(ErrorCode::guest_exited,
                name + " exited with status " + std::to_string(code) +
                    " while starting; its messages are in `oxydra-runner logs "
                    "--role " +
                    std::string(to_string(guest.role)) + "`");
  }
  return pid;
}

Result<void> DockerDriver::remove_stale() {
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
  // The label filter matches the user id exactly; names are checked too.
  for (auto& id : parse_container_ids(*listed))
    stale.push_back(std::move(id));
  for (const auto& id : stale) {
    if (auto removed = remove(id); !removed) {
      return tl::unexpected(with_context(removed.error(), "remove stale guest " + id));
    }
  }
  return {};
}

void DockerDriver::stop(const GuestHandle& guest, std::chrono::milliseconds grace) {
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

std::optional<GuestExit> DockerDriver::poll_exit(const GuestHandle& guest) {
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
  const ContainerState s = parse_container_state(**state);
  if (s.running || s.status == "created") return std::nullopt;
  exit.exit_code = s.exit_code;
  if (s.oom_killed) exit.signal = 9;
  return exit;
}

}  // namespace

Result<std::unique_ptr<ContainerDriver>> make_docker_driver(const BackendContext& context) {
  auto socket = docker_socket_path(context.runner.container.docker_host);
  if (!socket) return tl::unexpected(socket.error());
  DockerApi api(*socket);
  auto facts = read_daemon_facts(api);
  if (!facts) return tl::unexpected(facts.error());
  // Without remapping, uid 1000 in a container is uid 1000 on the host: a real
  // user's files and processes. Refuse rather than run a guest as someone.
  if (!facts->userns_remap) {
    return fail(ErrorCode::tier_unavailable,
                "docker: the daemon at " + *socket +
                    " does not remap user ids, so its containers would run as real host "
                    "users; start dockerd with --userns-remap=default (scripts/dockerd does)");
  }
  auto watchdog = DockerWatchdog::start(*socket);
  if (!watchdog) return tl::unexpected(watchdog.error());
  return std::unique_ptr<ContainerDriver>(
      new DockerDriver(context, std::move(api), *facts, std::move(*watchdog)));
}

}  // namespace oxydra::runner
