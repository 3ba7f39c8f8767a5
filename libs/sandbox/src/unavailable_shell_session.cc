#include "oxydra/sandbox/shell_backend.h"

namespace oxydra::sandbox {

namespace {

// Shell tools are disabled with a reason, never silently: every call says why.
class UnavailableShellSession final : public ShellSession {
 public:
  explicit UnavailableShellSession(Availability reason) : reason_(std::move(reason)) {
    reason_.available = false;
  }

  Availability status() const override { return reason_; }
  Result<void> spawn(const SpawnOptions&) override { return refuse(); }
  Result<ExecResult> exec(const ExecOptions&) override { return refuse(); }
  Result<OutputChunk> read_output(std::optional<std::uint64_t>) override { return refuse(); }
  Result<bool> cancel() override { return false; }
  Result<void> kill() override { return refuse(); }
  std::optional<std::string> id() const override { return std::nullopt; }

 private:
  tl::unexpected<Error> refuse() const {
    return fail(error_code_from_string(reason_.code), "shell unavailable: " + reason_.detail);
  }

  Availability reason_;
};

}  // namespace

std::unique_ptr<ShellSession> unavailable_shell_session(Availability reason) {
  return std::make_unique<UnavailableShellSession>(std::move(reason));
}

}  // namespace oxydra::sandbox
