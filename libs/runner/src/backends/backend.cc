#include "oxydra/runner/backend.h"

#include "backends/container/container_backend.h"
#include "backends/micro_vm/micro_vm_backend.h"
#include "backends/process/process_backend.h"

namespace oxydra::runner {

std::string_view to_string(GuestRole role) {
  return role == GuestRole::sidecar ? "sidecar" : "runtime";
}

std::string GuestExit::describe() const {
  if (signal) return "killed by signal " + std::to_string(*signal);
  if (exit_code) return "exited with status " + std::to_string(*exit_code);
  return "ended";
}

Result<std::unique_ptr<Backend>> make_backend(SandboxTier tier, const BackendContext& context) {
  switch (tier) {
    case SandboxTier::process:
      return make_process_backend(context);
    case SandboxTier::container:
      return make_container_backend(context);
    case SandboxTier::micro_vm:
      return make_micro_vm_backend(context);
  }
  return fail(ErrorCode::internal, "unknown sandbox tier");
}

}  // namespace oxydra::runner
