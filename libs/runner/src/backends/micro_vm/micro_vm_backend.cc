#include "backends/micro_vm/micro_vm_backend.h"

namespace oxydra::runner {

Result<std::unique_ptr<Backend>> make_micro_vm_backend(const BackendContext& context) {
  return fail(ErrorCode::tier_unavailable, "the micro_vm tier (vmm " +
                                               std::string(to_string(context.runner.micro_vm.vmm)) +
                                               ") is not implemented yet in this build");
}

}  // namespace oxydra::runner
