#pragma once

#include <memory>

#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The container tier. Driver "oci" (oci_backend.cc): runc or crun driven
// directly, no daemon. Driver "docker": not in this build yet.
Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context);

}  // namespace oxydra::runner
