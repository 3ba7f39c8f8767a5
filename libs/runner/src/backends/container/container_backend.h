#pragma once

#include <memory>

#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The container tier. Driver "oci" (oci_backend.cc): runc or crun driven
// directly, no daemon. Driver "docker" (docker_backend.cc): the Docker Engine
// API over its Unix socket.
Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context);

}  // namespace oxydra::runner
