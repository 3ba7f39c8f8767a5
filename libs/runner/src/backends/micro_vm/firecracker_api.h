#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// The part of Firecracker's REST API (src/firecracker/swagger/firecracker.yaml
// upstream) a microVM start needs, spoken over its API Unix socket: one
// HTTP/1.1 PUT per call, JSON bodies, 204 on success, 400 with
// {"fault_message": ...} on a refusal. Not yet run against a real Firecracker
// (this machine kind has no usable KVM); tested against a peer that speaks
// the documented exchange byte for byte.

struct FirecrackerDrive {
  std::string drive_id;
  std::filesystem::path path_on_host;
  bool is_root_device = false;
  bool is_read_only = true;
};

struct FirecrackerVm {
  int vcpu_count = 1;
  int mem_size_mib = 256;
  std::filesystem::path kernel_image_path;  // uncompressed vmlinux
  std::filesystem::path initrd_path;        // empty: none
  std::string boot_args;
  std::vector<FirecrackerDrive> drives;
  std::uint32_t guest_cid = 3;
  std::filesystem::path vsock_uds_path;  // the host side of the guest's vsock
};

class FirecrackerApi {
 public:
  explicit FirecrackerApi(std::filesystem::path socket,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : socket_(std::move(socket)), timeout_(timeout) {}

  // PUT /machine-config, /boot-source, /drives/<id> for each drive, /vsock.
  Result<void> configure(const FirecrackerVm& vm) const;
  // PUT /actions {"action_type": "InstanceStart"}.
  Result<void> start() const;
  // One PUT; errors name the call ("firecracker: PUT /boot-source: 400: <fault_message>").
  Result<void> put(const std::string& path, const nlohmann::json& body) const;

 private:
  std::filesystem::path socket_;
  std::chrono::milliseconds timeout_;
};

}  // namespace oxydra::runner
