#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// What the runner reads from the Docker Engine's JSON answers, read
// defensively: a field of the wrong type is as good as absent (the daemon's
// answers are input like any other; fuzz/container_replies_fuzz.cc).

struct DockerResponse {
  long status = 0;
  std::string body;
};

// "docker: METHOD PATH" (the query left out): how every message begins.
std::string docker_call_name(std::string_view method, std::string_view path);

// The error for a non-2xx answer: "docker: METHOD PATH: STATUS: message",
// with a hint where one helps (a missing image: scripts/import-guest-images).
Error docker_error(std::string_view method, std::string_view path, const DockerResponse& response);

// Splits Docker's multiplexed log stream (8-byte headers: stream, 0, 0, 0,
// big-endian length) into its stdout (1) and stderr (2) payloads.
class DockerStreamDemuxer {
 public:
  using Sink = std::function<void(int stream, std::string_view payload)>;
  explicit DockerStreamDemuxer(Sink sink) : sink_(std::move(sink)) {}
  void feed(std::string_view bytes);

 private:
  Sink sink_;
  std::string pending_;
};

// GET /info.
struct DaemonFacts {
  // The host id the daemon maps guest id 0 to (its --userns-remap range), 0
  // when containers share the host's user namespace.
  std::uint32_t id_base = 0;
  bool userns_remap = false;
  bool cgroupfs = false;  // cgroup parents are paths (else systemd slices)
};
Result<DaemonFacts> parse_daemon_facts(const nlohmann::json& info);

// GET /containers/<id>/json, its "State".
struct ContainerState {
  bool running = false;
  pid_t pid = 0;
  int exit_code = -1;
  std::string status;  // "created", "running", "exited", ...
  bool oom_killed = false;
};
ContainerState parse_container_state(const nlohmann::json& inspected);

// GET /containers/json: the ids listed.
std::vector<std::string> parse_container_ids(const nlohmann::json& listed);

}  // namespace oxydra::runner
