#pragma once

#include <nlohmann/json.hpp>

namespace oxydra::harden_probe {

// oxydra-harden-probe: a test-only program, never part of a release binary.
//
//   oxydra-harden-probe --spec JSON
//     Launcher. JSON: {"workspace_root", "user", "outside", "max_memory_mib"?,
//     "max_processes"?}. Opens loopback and abstract-socket listeners, prepares
//     the process-tier hardening, forks, applies it in the child, and the child
//     execs this program in probe mode. Prints one JSON document: the child's
//     outcome, the enforcement report measured from outside, the degraded
//     reasons, and the probe results.
//
//   oxydra-harden-probe --probe JSON
//     Probe mode, inside the hardened child: tries each operation and prints
//     {"probes": [...], "self": {...}}.

int run_launcher(const nlohmann::json& spec);
int run_probes(const nlohmann::json& args);

}  // namespace oxydra::harden_probe
