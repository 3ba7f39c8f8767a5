#pragma once

#include <memory>
#include <string>

#include "oxydra/runner/backend.h"

namespace oxydra::runner {

// The process tier (--insecure): oxydra-vm as a hardened child of the runner,
// no shell-vm. Fails when the oxydra-vm binary is not there.
Result<std::unique_ptr<Backend>> make_process_backend(const BackendContext& context);

// [process] oxydra_vm, else oxydra-vm beside the running executable; resolved
// to an absolute path without symlinks (Landlock grants exactly that file).
Result<std::string> process_guest_executable(const RunnerConfig& runner);

// The guest's environment: nothing of the runner's except a few harmless,
// non-secret variables (the runner's may hold the API keys it resolves).
std::vector<std::string> guest_environment(const UserPolicy& policy);

}  // namespace oxydra::runner
