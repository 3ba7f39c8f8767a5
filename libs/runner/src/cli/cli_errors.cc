#include "cli/cli_errors.h"

#include <cstdio>

#include "oxydra/runner/cli.h"

namespace oxydra::runner {

namespace {

std::string prefix(const Selection* selection) {
  return selection ? command_prefix(*selection) : std::string("oxydra-runner");
}

std::string hint_for(const Error& error, const Selection* selection) {
  switch (error.code) {
    case ErrorCode::no_runner_config:
      return "pass --config PATH; examples/config/runner.toml is a working example";
    case ErrorCode::user_required:
    case ErrorCode::unknown_user:
      return "choose a user with --user NAME";
    case ErrorCode::no_users:
      return "add one to runner.toml as [users.NAME] with config_path = \"users/NAME.toml\" "
             "(docs/operations.md, \"Install and run as a service\")";
    case ErrorCode::not_running:
      return prefix(selection) + " --insecure start --detach";
    case ErrorCode::already_running:
      return "stop it first (" + prefix(selection) + " stop), or use restart";
    case ErrorCode::tier_unavailable:
      // The next stronger tier that works, never the weakest first.
      if (error.message.find("micro_vm") != std::string::npos) {
        return "the container tier works here: set default_tier = \"container\" in runner.toml "
               "(and no behavior.sandbox_tier = \"micro_vm\" in the user's config)";
      }
      return "fix what the error names for the container tier (docker: a daemon with "
             "--userns-remap, or [container] driver = \"oci\"); only for development, "
             "--insecure runs the process tier with isolation degraded";
    case ErrorCode::credential_missing:
      return "set the variable or create the file the ref names; values never go in config files";
    case ErrorCode::guest_image_missing:
      return "build the guest images once with scripts/build-guest-rootfs (a few minutes), or set "
             "images_dir in runner.toml";
    case ErrorCode::guest_missing:
      return "build it (cmake --build ...) or set [process] oxydra_vm";
    case ErrorCode::not_answering:
      return "if it is stuck, kill that pid; the next start cleans up";
    case ErrorCode::storage:
      return "the agent could not write its conversation in the user's workspace: free space "
             "there (df " +
             (selection ? selection->layout.root.string() : std::string("<workspace>")) +
             ") and ask again; what was saved before is kept";
    case ErrorCode::no_shell:
      return "exec needs a tier with a shell-vm (container or micro_vm)";
    default:
      return {};
  }
}

}  // namespace

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_config:
    case ErrorCode::invalid_user_id:
    case ErrorCode::no_runner_config:
    case ErrorCode::user_required:
    case ErrorCode::no_users:
    case ErrorCode::unknown_user:
    case ErrorCode::invalid_request:
    case ErrorCode::invalid_value:
      return kExitUsage;
    case ErrorCode::not_running:
      return kExitNotRunning;
    case ErrorCode::already_running:
      return kExitAlreadyRunning;
    default:
      return kExitFailure;
  }
}

int report_error(const Error& error, const Selection* selection) {
  std::fprintf(stderr, "error: %s\n", error.message.c_str());
  if (auto hint = hint_for(error, selection); !hint.empty()) {
    std::fprintf(stderr, "hint: %s\n", hint.c_str());
  }
  return exit_code_for(error);
}

}  // namespace oxydra::runner
