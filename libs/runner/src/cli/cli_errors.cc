#include "cli/cli_errors.h"

#include <cstdio>

#include "oxydra/runner/cli.h"

namespace oxydra::runner {

namespace {

std::string prefix(const Selection* selection) {
  return selection ? command_prefix(*selection) : std::string("oxydra-runner");
}

std::string hint_for(const Error& error, const Selection* selection) {
  const std::string& code = error.code;
  if (code == "no_runner_config") {
    return "pass --config PATH; examples/config/runner.toml is a working example";
  }
  if (code == "user_required" || code == "unknown_user") {
    return "choose a user with --user NAME";
  }
  if (code == "not_running") return prefix(selection) + " --insecure start --detach";
  if (code == "already_running") {
    return "stop it first (" + prefix(selection) + " stop), or use restart";
  }
  if (code == "tier_unavailable") {
    return "run on the process tier with --insecure (development only, isolation degraded)";
  }
  if (code == "credential_missing") {
    return "set the variable or create the file the ref names; values never go in config files";
  }
  if (code == "guest_image_missing") {
    return "build the guest images once with scripts/build-guest-rootfs (a few minutes), or set "
           "images_dir in runner.toml";
  }
  if (code == "guest_missing") return "build it (cmake --build ...) or set [process] oxydra_vm";
  if (code == "not_answering") return "if it is stuck, kill that pid; the next start cleans up";
  if (code == "no_shell") return "exec needs a tier with a shell-vm (container or micro_vm)";
  return {};
}

}  // namespace

int exit_code_for(const Error& error) {
  const std::string& code = error.code;
  if (code == "invalid_config" || code == "invalid_user_id" || code == "no_runner_config" ||
      code == "user_required" || code == "unknown_user" || code == "invalid_request" ||
      code == "invalid_value") {
    return kExitUsage;
  }
  if (code == "not_running") return kExitNotRunning;
  if (code == "already_running") return kExitAlreadyRunning;
  return kExitFailure;
}

int report_error(const Error& error, const Selection* selection) {
  std::fprintf(stderr, "error: %s\n", error.message.c_str());
  if (auto hint = hint_for(error, selection); !hint.empty()) {
    std::fprintf(stderr, "hint: %s\n", hint.c_str());
  }
  return exit_code_for(error);
}

}  // namespace oxydra::runner
