#pragma once

#include <memory>

#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The container tier's Docker driver: each guest is a container created and
// started through the Docker Engine API (docker_api.h) from the imported
// guest images, with the same command lines, mounts and limits as the oci
// driver. Docker, not the runner, is the guests' parent: they outlive a runner
// killed by SIGKILL until the next start removes them by name and label.
Result<std::unique_ptr<Backend>> make_docker_backend(const BackendContext& context);

}  // namespace oxydra::runner
