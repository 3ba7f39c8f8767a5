#include "oxydra/types/sandbox_tier.h"

#include <string>

namespace oxydra {

std::string_view to_string(SandboxTier tier) {
  switch (tier) {
    case SandboxTier::micro_vm:
      return "micro_vm";
    case SandboxTier::container:
      return "container";
    case SandboxTier::process:
      return "process";
  }
  return "unknown";
}

Result<SandboxTier> parse_sandbox_tier(std::string_view text) {
  for (SandboxTier tier : {SandboxTier::micro_vm, SandboxTier::container, SandboxTier::process}) {
    if (text == to_string(tier)) return tier;
  }
  return fail(ErrorCode::invalid_value, "unknown sandbox tier \"" + std::string(text) +
                                            "\" (expected micro_vm, container or process)");
}

int isolation_strength(SandboxTier tier) {
  switch (tier) {
    case SandboxTier::micro_vm:
      return 3;
    case SandboxTier::container:
      return 2;
    case SandboxTier::process:
      return 1;
  }
  return 0;
}

}  // namespace oxydra
