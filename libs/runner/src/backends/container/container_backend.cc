#include "backends/container/container_backend.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "backends/container/bootstrap_listener.h"
#include "backends/container/container_enforcement.h"
#include "backends/container/container_guest.h"
#include "backends/container/disk_quota.h"
#include "backends/container/docker/docker_driver.h"
#include "backends/container/guest_ownership.h"
#include "backends/container/oci/oci_driver.h"
#include "backends/envelope_delivery.h"
#include "backends/stale_files.h"
#include "daemon/envelope_builder.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;

class ContainerBackend final : public Backend {
 public:
  ContainerBackend(const BackendContext& context, std::unique_ptr<ContainerDriver> driver)
      : context_(context), driver_(std::move(driver)) {}
  ~ContainerBackend() override { detach_user_disk_quotas(policy(), driver_->guest_owner()); }
  ContainerBackend(const ContainerBackend&) = delete;
  ContainerBackend& operator=(const ContainerBackend&) = delete;

  SandboxTier tier() const override { return SandboxTier::container; }
  bool has_sidecar() const override { return true; }
  std::vector<DegradedReason> tier_degraded() const override { return {}; }
  std::optional<uid_t> data_owner() const override { return driver_->data_owner(); }

  Result<void> clean_stale() override;
  Result<void> begin_runtime() override;
  Result<SidecarStart> start_sidecar() override;
  Result<GuestHandle> start_runtime(const EnvelopeFactory& make_envelope) override;
  void stop(const GuestHandle& guest, std::chrono::milliseconds grace) override {
    driver_->stop(guest, grace);
  }
  std::optional<GuestExit> poll_exit(const GuestHandle& guest) override {
    return driver_->poll_exit(guest);
  }

 private:
  const UserPolicy& policy() const { return context_.policy; }
  fs::path shell_ipc() const { return shell_ipc_dir(policy()); }
  fs::path bootstrap_socket() const { return policy().layout.ipc / "bootstrap.sock"; }
  std::chrono::seconds startup_timeout() const {
    return std::chrono::seconds(context_.runner.supervision.startup_timeout_secs);
  }

  Result<void> prepare_directories();
  // shared/ and tmp/ bounded by the user's max_disk_mib (disk_quota.h).
  Result<void> attach_disk_quotas();
  void add_disk_notes(GuestHandle& guest) const;
  // Launches oxydra-vm's guest and opens the socket its envelope goes through.
  Result<void> launch_runtime();

  // oxydra-vm's guest launched by begin_runtime, waiting for start_runtime.
  struct BegunRuntime {
    BootstrapListener listener;
    GuestHandle guest;
  };

  const BackendContext context_;
  std::unique_ptr<ContainerDriver> driver_;
  std::vector<std::string> disk_notes_;
  bool launch_runtime_with_sidecar_ = false;
  std::optional<BegunRuntime> begun_;
};

Result<void> ContainerBackend::attach_disk_quotas() {
  auto notes = attach_user_disk_quotas(policy(), driver_->guest_owner());
  if (!notes) return tl::unexpected(notes.error());
  disk_notes_ = std::move(*notes);
  return {};
}

void ContainerBackend::add_disk_notes(GuestHandle& guest) const {
  if (!guest.enforcement) return;
  guest.enforcement->notes.insert(guest.enforcement->notes.end(), disk_notes_.begin(),
                                  disk_notes_.end());
}

Result<void> ContainerBackend::prepare_directories() {
  const UserPolicy& p = policy();
  const uid_t owner = driver_->guest_owner();
  if (auto bounded = attach_disk_quotas(); !bounded) return bounded;
  // ipc/ stays the runner's (0711): the guests own only their socket
  // directories in it, so neither can replace the bootstrap socket.
  for (const fs::path& dir : {shell_ipc(), gateway_ipc_dir(p)}) {
    std::error_code ec;
    fs::create_directory(dir, ec);
    if (ec) return tl::unexpected(errno_error("mkdir " + dir.string(), ec.value()));
    if (::chmod(dir.c_str(), 0700) != 0)
      return tl::unexpected(errno_error("chmod 0700 " + dir.string(), errno));
  }
  for (const fs::path& dir :
       {p.shared, p.tmp, p.vault, shell_ipc(), gateway_ipc_dir(p), p.layout.internal}) {
    if (!path_within(dir, p.layout.root)) continue;
    if (auto given = give_to_guest(dir, owner, owner); !given) return given;
  }
  for (const fs::path& dir : {p.shared, p.tmp}) {
    if (path_within(dir, p.layout.root)) continue;
    if (auto owned = check_guest_owns(dir, owner); !owned) return owned;
  }
  // The guest's init mounts the bind sources as the user namespace's root,
  // which needs to pass through the user's (root-owned) directory.
  if (::chmod(p.layout.root.c_str(), 0711) != 0) {
    return tl::unexpected(errno_error("chmod 0711 " + p.layout.root.string(), errno));
  }
  return driver_->check_images();
}

Result<void> ContainerBackend::clean_stale() {
  if (begun_) {
    driver_->stop(begun_->guest, std::chrono::milliseconds(0));
    begun_.reset();
  }
  if (auto removed = driver_->remove_stale(); !removed) return removed;
  for (const fs::path& socket : {fs::path(gateway_socket(policy().layout)),
                                 shell_ipc() / "shell.sock", bootstrap_socket()}) {
    std::error_code ec;
    if (!fs::exists(socket, ec)) continue;
    if (auto removed = remove_stale_socket(socket.string()); !removed) return removed;
  }
  return {};
}

Result<SidecarStart> ContainerBackend::start_sidecar() {
  if (auto prepared = prepare_directories(); !prepared) return tl::unexpected(prepared.error());
  const OciGuest spec = driver_->guest_spec(GuestRole::sidecar);
  ::unlink((shell_ipc() / "shell.sock").c_str());
  auto guest = driver_->launch(GuestRole::sidecar, spec);
  if (!guest) return tl::unexpected(guest.error());
  auto init_pid = driver_->wait_running(*guest, startup_timeout());
  if (!init_pid) {
    driver_->stop(*guest, std::chrono::milliseconds(0));
    return tl::unexpected(init_pid.error());
  }
  // Once shell-vm's guest runs: two runtimes creating containers at once
  // share the two cores and delay the shell by half; oxydra-vm's container
  // is made while the shell daemon starts and answers.
  if (launch_runtime_with_sidecar_) {
    launch_runtime_with_sidecar_ = false;
    if (auto launched = launch_runtime(); !launched) {
      driver_->stop(*guest, std::chrono::milliseconds(0));
      return tl::unexpected(launched.error());
    }
  }
  guest->usage_pid = *init_pid;
  auto measured = measure_container_guest(*init_pid, spec);
  guest->enforcement = std::move(measured.report);
  guest->degraded = std::move(measured.degraded);
  add_disk_notes(*guest);

  SidecarStart start;
  start.guest = std::move(*guest);
  start.endpoint = {ChannelTransport::unix_socket,
                    std::string(kGuestWorkspace) + "/ipc/shell/shell.sock"};
  start.host_endpoint = {ChannelTransport::unix_socket, (shell_ipc() / "shell.sock").string()};
  return start;
}

Result<void> ContainerBackend::launch_runtime() {
  if (auto prepared = prepare_directories(); !prepared) return prepared;
  const uid_t owner = driver_->guest_owner();
  auto listener = BootstrapListener::open(bootstrap_socket().string(), owner, owner);
  if (!listener) return tl::unexpected(listener.error());
  auto launched = driver_->launch(GuestRole::runtime, driver_->guest_spec(GuestRole::runtime));
  if (!launched) return tl::unexpected(launched.error());
  begun_.emplace(BegunRuntime{std::move(*listener), std::move(*launched)});
  return {};
}

Result<void> ContainerBackend::begin_runtime() {
  // Launched by start_sidecar once shell-vm's guest runs. A driver whose launch blocks (an engine's
  // API) would delay shell-vm: its oxydra-vm starts in start_runtime.
  launch_runtime_with_sidecar_ = driver_->launches_in_background();
  return {};
}

Result<GuestHandle> ContainerBackend::start_runtime(const EnvelopeFactory& make_envelope) {
  if (!begun_) {
    if (auto launched = launch_runtime(); !launched) return tl::unexpected(launched.error());
  }
  BegunRuntime begun = std::move(*begun_);
  begun_.reset();
  const OciGuest spec = driver_->guest_spec(GuestRole::runtime);
  GuestHandle& guest = begun.guest;

  auto fail_start = [&](const Error& error) -> Result<GuestHandle> {
    driver_->stop(guest, std::chrono::milliseconds(0));
    return tl::unexpected(error);
  };
  auto connection =
      begun.listener.accept_one(startup_timeout(), [&]() -> std::optional<std::string> {
        if (auto exit = driver_->exit_while_starting(guest)) {
          return guest.describe + " " + exit->describe();
        }
        return std::nullopt;
      });
  if (!connection) return fail_start(connection.error());
  auto init_pid = driver_->wait_running(guest, startup_timeout());
  if (!init_pid) return fail_start(init_pid.error());
  guest.usage_pid = *init_pid;
  auto measured = measure_container_guest(*init_pid, spec);
  guest.enforcement = std::move(measured.report);
  guest.degraded = std::move(measured.degraded);
  add_disk_notes(guest);

  auto envelope = make_envelope(guest);
  if (!envelope) return fail_start(envelope.error());
  auto sent = deliver_to_container(connection->get(), std::move(*envelope), kGuestWorkspace,
                                   startup_timeout(), guest.describe);
  if (!sent) return fail_start(sent.error());
  return std::move(guest);
}

}  // namespace

std::unique_ptr<Backend> make_container_backend(const BackendContext& context,
                                                std::unique_ptr<ContainerDriver> driver) {
  return std::make_unique<ContainerBackend>(context, std::move(driver));
}

Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context) {
  Result<std::unique_ptr<ContainerDriver>> driver =
      fail(ErrorCode::internal, "unknown container driver");
  switch (context.runner.container.driver) {
    case ContainerDriverKind::oci:
      driver = make_oci_driver(context);
      break;
    case ContainerDriverKind::docker:
      driver = make_docker_driver(context);
      break;
  }
  if (!driver) return tl::unexpected(driver.error());
  return make_container_backend(context, std::move(*driver));
}

}  // namespace oxydra::runner
