#pragma once

#include <memory>

#include "backends/container/container_driver.h"

namespace oxydra::runner {

// The container tier's daemonless driver: each guest is `runc run --detach`
// (or crun) of a bundle generated here. The runtime exits once the guest
// runs, so no host process per guest stays behind it: the guest's init is
// reparented to the runner (its subreaper), which reaps it and reads its exit
// status; the guest's output goes straight to the runner's pipes. The init
// (oxydra-guest-init) holds a lifeline pipe from the runner and kills the
// guest when the runner dies, even by kill -9.
Result<std::unique_ptr<ContainerDriver>> make_oci_driver(const BackendContext& context);

}  // namespace oxydra::runner
