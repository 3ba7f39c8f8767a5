#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

#include "backends/container/oci/oci_config.h"
#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// One way of running container guests: the OCI runtime driven directly (oci/)
// or the Docker Engine (docker/). The flow around a driver — leftovers,
// directories, sidecar, runtime, envelope delivery, measured enforcement — is
// ContainerBackend's, the same for every driver.
class ContainerDriver {
 public:
  virtual ~ContainerDriver() = default;

  // The host uid that the guest's user (uid 1000 inside) is: it owns the
  // user's data directories.
  virtual uid_t guest_owner() const = 0;
  // guest_owner() when it is not the default guest_host_uid(user) (see
  // Backend::data_owner).
  virtual std::optional<uid_t> data_owner() const = 0;
  // The guest as this driver runs it: container_guest() plus the driver's
  // id mapping, root filesystem and cgroup.
  virtual OciGuest guest_spec(GuestRole role) const = 0;
  // Fails with guest_image_missing when an image the driver needs is absent.
  virtual Result<void> check_images() const = 0;

  // Removes every container of this user that a crashed run left.
  virtual Result<void> remove_stale() = 0;
  // Creates and starts the guest's container (a leftover of the same name is
  // removed first). The handle carries the host process or the engine's id.
  virtual Result<GuestHandle> launch(GuestRole role, const OciGuest& spec) = 0;
  // Whether launch() returns at once, leaving the start to run in the
  // background (then oxydra-vm's guest is launched while shell-vm starts).
  virtual bool launches_in_background() const { return false; }
  // Waits until the container runs and returns its init's host pid (for
  // measuring enforcement); fails if it ended or did not run within `timeout`.
  virtual Result<pid_t> wait_running(GuestHandle& guest, std::chrono::milliseconds timeout) = 0;
  // While a guest starts: how it ended, if it has. A reaped host process is
  // cleared from the handle.
  virtual std::optional<GuestExit> exit_while_starting(GuestHandle& guest) = 0;
  // Backend::stop and Backend::poll_exit for this driver's guests.
  virtual void stop(const GuestHandle& guest, std::chrono::milliseconds grace) = 0;
  virtual std::optional<GuestExit> poll_exit(const GuestHandle& guest) = 0;
};

}  // namespace oxydra::runner
