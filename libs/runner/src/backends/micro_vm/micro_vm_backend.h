#pragma once

#include <memory>

#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The micro_vm tier: each guest in a VM of its own, behind its own kernel.
// QEMU's microvm machine (vmm = "qemu", KVM when it can boot a guest, else
// software emulation) or Firecracker (vmm = "firecracker"). Both guests talk
// to the host only over the VM link (libs/vmlink): the runner relays the
// shell, gateway and egress channels; the envelope has a port of its own.
Result<std::unique_ptr<Backend>> make_micro_vm_backend(const BackendContext& context);

}  // namespace oxydra::runner
