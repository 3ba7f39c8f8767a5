#pragma once

#include <memory>

#include "backends/container/container_driver.h"

namespace oxydra::runner {

// The container tier's daemonless driver: each guest is `runc run` (or crun)
// of a bundle generated here, in the foreground as the runner's child, so the
// runtime process lives exactly as long as the guest. Its init
// (oxydra-guest-init) holds a lifeline pipe from the runner and kills the
// guest when the runner dies, even by kill -9.
Result<std::unique_ptr<ContainerDriver>> make_oci_driver(const BackendContext& context);

}  // namespace oxydra::runner
