#pragma once

#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra {

// Where a user's guests run, from the strongest isolation to the weakest.
enum class SandboxTier { micro_vm, container, process };

std::string_view to_string(SandboxTier tier);

// Accepts exactly "micro_vm", "container" or "process"; error code "invalid_value".
Result<SandboxTier> parse_sandbox_tier(std::string_view text);

// micro_vm 3 > container 2 > process 1: a larger number isolates more.
int isolation_strength(SandboxTier tier);

}  // namespace oxydra
