#pragma once

#include <memory>

#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The micro_vm tier (QEMU microvm, Firecracker): not in this build yet.
Result<std::unique_ptr<Backend>> make_micro_vm_backend(const BackendContext& context);

}  // namespace oxydra::runner
