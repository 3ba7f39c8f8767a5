#include <signal.h>
#include <string.h>

#include <mutex>

#include "oxydra/tools/shell_tool.h"

namespace oxydra::tools {

namespace {

constexpr std::string_view kShellExecName = "shell_exec";

ArgSchema shell_args(const ShellToolOptions& options) {
  return ArgSchema({
      {.name = "command",
       .type = ArgType::string,
       .description = "The command line, run by /bin/sh -c in a persistent shell session",
       .required = true,
       .non_empty = true},
      {.name = "timeout_secs",
       .type = ArgType::integer,
       .description = "Stop the command after this many seconds; default " +
                      std::to_string(options.default_timeout.count()),
       .minimum = 1,
       .maximum = options.max_timeout.count()},
  });
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return std::to_string(sig) + (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
}

// What the model reads: how the command ended, then each non-empty stream.
std::string describe(const sandbox::ExecResult& r, std::chrono::seconds timeout) {
  std::string out;
  if (r.timed_out) {
    out = "timed out after " + std::to_string(timeout.count()) + " s; the command was stopped";
  } else if (r.cancelled) {
    out = "cancelled; the command was stopped";
  } else if (r.signal) {
    out = "killed by signal " + signal_name(*r.signal);
  } else if (r.exit_code) {
    out = "exit code " + std::to_string(*r.exit_code);
  } else {
    out = "finished without an exit status";
  }
  if (!r.cwd.empty()) out += " (cwd " + r.cwd + ")";
  out += "\n";
  auto section = [&out](std::string_view label, const std::string& text) {
    if (text.empty()) return;
    out += "[";
    out += label;
    out += "]\n" + text;
    if (text.back() != '\n') out += "\n";
  };
  section("stdout", r.stdout_text);
  section("stderr", r.stderr_text);
  if (r.stdout_text.empty() && r.stderr_text.empty()) out += "(no output)\n";
  if (r.truncated_bytes > 0) {
    out += "[output truncated: " + std::to_string(r.truncated_bytes) +
           " bytes were left out of the middle; the start and end of each stream are kept. "
           "Redirect to a file and read parts of it to see everything.]\n";
  }
  return out;
}

class ShellExec final : public Tool {
 public:
  ShellExec(std::shared_ptr<sandbox::ShellSession> session, ShellToolOptions options)
      : Tool(std::string(kShellExecName),
             "Run a shell command in the user's sandboxed shell and return its exit code, "
             "stdout and stderr. The session persists between calls: the working directory "
             "and exported variables carry over.",
             shell_args(options), SafetyTier::side_effecting),
        session_(std::move(session)),
        options_(std::move(options)) {}

  Availability availability() const override {
    const sandbox::Availability s = session_->status();
    Availability a{s.available, s.code, s.detail};
    if (!a.enabled && a.reason.empty()) a.reason = "shell_unavailable";
    return a;
  }

 protected:
  Result<ToolOutput> run(const nlohmann::json& args, const ToolContext& ctx) override {
    const std::chrono::seconds timeout{
        args.value("timeout_secs", static_cast<std::int64_t>(options_.default_timeout.count()))};
    sandbox::ExecOptions exec;
    exec.command = args["command"].get<std::string>();
    exec.timeout = timeout;
    exec.max_output_bytes = options_.max_output_bytes;
    exec.stop = ctx.stop;

    // One command at a time per session: a second call waits its turn rather
    // than failing with `busy`.
    std::lock_guard lock(mu_);
    auto result = run_in_session(exec);
    // The daemon lost our session (it restarted): the command never ran, so a
    // fresh session may run it.
    if (!result && result.error().code == ErrorCode::unknown_session) {
      spawned_ = false;
      result = run_in_session(exec);
    }
    if (!result) return tl::unexpected(result.error());

    ToolOutput out = ToolOutput::success(describe(*result, timeout));
    out.metadata.exit_code = result->exit_code;
    out.metadata.signal = result->signal;
    out.metadata.timed_out = result->timed_out;
    out.metadata.stdout_bytes = result->stdout_bytes;
    out.metadata.stderr_bytes = result->stderr_bytes;
    out.metadata.truncated_bytes = result->truncated_bytes;
    if (result->timed_out || result->cancelled || result->signal) {
      out.is_error = true;
      out.metadata.error_code = result->timed_out   ? "timed_out"
                                : result->cancelled ? std::string(tool_error::kCancelled)
                                                    : "killed_by_signal";
    }
    return out;
  }

 private:
  Result<sandbox::ExecResult> run_in_session(const sandbox::ExecOptions& exec) {
    if (!spawned_) {
      if (auto spawned = session_->spawn(options_.spawn); !spawned) {
        return tl::unexpected(with_context(spawned.error(), "start the shell session"));
      }
      spawned_ = true;
    }
    return session_->exec(exec);
  }

  const std::shared_ptr<sandbox::ShellSession> session_;
  const ShellToolOptions options_;
  std::mutex mu_;
  bool spawned_ = false;
};

class DisabledShellExec final : public Tool {
 public:
  DisabledShellExec(std::string reason, std::string detail)
      : Tool(std::string(kShellExecName), "Run a shell command (not available in this deployment).",
             shell_args(ShellToolOptions{}), SafetyTier::side_effecting),
        availability_(Availability::disabled(std::move(reason), std::move(detail))) {}

  Availability availability() const override { return availability_; }

 protected:
  Result<ToolOutput> run(const nlohmann::json&, const ToolContext&) override {
    return fail(ErrorCode::tool_disabled, "shell_exec is disabled");  // invoke() never gets here
  }

 private:
  const Availability availability_;
};

}  // namespace

std::shared_ptr<Tool> make_shell_exec_tool(std::shared_ptr<sandbox::ShellSession> session,
                                           ShellToolOptions options) {
  return std::make_shared<ShellExec>(std::move(session), std::move(options));
}

std::shared_ptr<Tool> make_disabled_shell_exec_tool(std::string reason, std::string detail) {
  return std::make_shared<DisabledShellExec>(std::move(reason), std::move(detail));
}

}  // namespace oxydra::tools
