#pragma once

#include <memory>

#include "backends/container/container_driver.h"
#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The container tier: one flow over a driver chosen by [container] driver —
// "oci" (oci/: runc or crun driven directly, no daemon) or "docker" (docker/:
// the Docker Engine API over its Unix socket).
Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context);

// The same flow over a given driver (tests bring their own).
std::unique_ptr<Backend> make_container_backend(const BackendContext& context,
                                                std::unique_ptr<ContainerDriver> driver);

}  // namespace oxydra::runner
