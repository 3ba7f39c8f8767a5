// What the runner reads from outside programs and guests: the Docker
// Engine's JSON answers (/info, a container's state, the container list), its
// error bodies and its multiplexed log stream; `runc state`; a microVM
// guest's hello on the VM link. None may crash the runner, whatever the
// types or sizes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "backends/container/docker/docker_replies.h"
#include "backends/container/oci/oci_runtime.h"
#include "backends/micro_vm/guest_hello.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace oxydra::runner;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) {
    (void)parse_daemon_facts(json);
    const auto state = parse_container_state(json);
    if (state.pid < 0) __builtin_trap();
    for (const auto& id : parse_container_ids(json)) {
      if (id.empty()) __builtin_trap();
    }
  }
  if (auto runc = parse_runc_state(text); runc && runc->pid < 0) __builtin_trap();
  (void)docker_error("GET", "/containers/x/json", DockerResponse{404, std::string(text)});
  std::size_t delivered = 0;
  DockerStreamDemuxer demuxer([&](int, std::string_view payload) { delivered += payload.size(); });
  const std::size_t cut = size > 0 ? data[0] % (size + 1) : 0;
  demuxer.feed(text.substr(0, cut));
  demuxer.feed(text.substr(cut));
  if (delivered > size) __builtin_trap();
  (void)parse_guest_hello(std::string(text));
  return 0;
}
