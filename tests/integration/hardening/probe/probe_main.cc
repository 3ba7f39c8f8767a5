#include <cstdio>
#include <cstring>

#include "probe.h"

namespace {
bool probe_mode = false;
}  // namespace

// LeakSanitizer stops the world with ptrace, which the probe's own seccomp
// filter refuses; under ASan the leak check would then fail the probe at exit.
// NOLINTNEXTLINE(bugprone-reserved-identifier): LeakSanitizer's own hook name.
extern "C" int __lsan_is_turned_off() {
  return probe_mode ? 1 : 0;
}

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "--spec") != 0 && std::strcmp(argv[1], "--probe") != 0)) {
    std::fprintf(stderr, "usage: oxydra-harden-probe --spec JSON | --probe JSON\n");
    return 2;
  }
  auto json = nlohmann::json::parse(argv[2], nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    std::fprintf(stderr, "oxydra-harden-probe: %s is not a JSON object\n", argv[1]);
    return 2;
  }
  probe_mode = std::strcmp(argv[1], "--probe") == 0;
  return probe_mode ? oxydra::harden_probe::run_probes(json)
                    : oxydra::harden_probe::run_launcher(json);
}
