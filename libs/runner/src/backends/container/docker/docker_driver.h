#pragma once

#include <memory>

#include "backends/container/container_driver.h"

namespace oxydra::runner {

// The container tier's Docker driver: each guest is a container created and
// started through the Docker Engine API (docker_api.h) from the imported
// guest images, with the same command lines, mounts and limits as the oci
// driver. Docker, not the runner, is the guests' parent: they outlive a runner
// killed by SIGKILL until its watchdog (docker_watchdog.h) or the next start
// removes them.
Result<std::unique_ptr<ContainerDriver>> make_docker_driver(const BackendContext& context);

}  // namespace oxydra::runner
