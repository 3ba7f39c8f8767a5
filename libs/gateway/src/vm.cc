#include "oxydra/gateway/vm.h"

#include <signal.h>

#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "oxydra/gateway/bootstrap.h"
#include "oxydra/gateway/server.h"
#include "oxydra/memory/audit.h"

namespace oxydra::gateway {

namespace {

int report(std::string_view prefix, const Error& error, int status) {
  std::fprintf(stderr, "oxydra-vm: %.*s%s\n", static_cast<int>(prefix.size()), prefix.data(),
               error.message.c_str());
  return status;
}

void warn_direct_mode() {
  std::fputs(
      "oxydra-vm: WARNING: direct development mode. No runner, no isolation: this process runs "
      "with your user's full access, and the shell tool is disabled (insecure_process_tier). "
      "Do not use it in production.\n",
      stderr);
}

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

Result<AgentSetup> build_setup(const VmOptions& options, int& status,
                               Clock::time_point& envelope_read) {
  const bool bootstrap =
      options.bootstrap_fd || !options.bootstrap_socket.empty() || options.bootstrap_stdin;
  if (!bootstrap) {
    status = kExitInvalid;
    if (options.config_path.empty()) {
      return fail(ErrorCode::invalid_config,
                  "no bootstrap source and no --config: give --bootstrap-fd, --bootstrap-socket "
                  "or --bootstrap-stdin (under the runner), or --config agent.toml (direct mode)");
    }
    warn_direct_mode();
    auto setup = setup_direct(DirectOptions{options.config_path, options.workspace});
    if (!setup && setup.error().code != ErrorCode::invalid_config) status = kExitFailure;
    return setup;
  }
  BootstrapInput input;
  input.timeout = options.bootstrap_timeout;
  if (options.bootstrap_fd) {
    input.kind = BootstrapInput::Kind::fd;
    input.fd = *options.bootstrap_fd;
  } else if (!options.bootstrap_socket.empty()) {
    input.kind = BootstrapInput::Kind::unix_socket;
    input.socket_path = options.bootstrap_socket;
  } else {
    input.kind = BootstrapInput::Kind::stdin_stream;
  }
  auto envelope = read_bootstrap(input);
  envelope_read = Clock::now();
  if (!envelope) {
    status = envelope.error().code == ErrorCode::invalid_envelope ? kExitInvalid : kExitFailure;
    return tl::unexpected(envelope.error());
  }
  auto setup = setup_from_envelope(*envelope);
  if (!setup)
    status = setup.error().code == ErrorCode::invalid_envelope ? kExitInvalid : kExitFailure;
  return setup;
}

}  // namespace

int run_vm(const VmOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  int status = kExitOk;
  const auto entered = Clock::now();
  auto envelope_read = entered;
  auto setup = build_setup(options, status, envelope_read);
  const auto set_up = Clock::now();
  if (!setup) {
    const auto& error = setup.error();
    if (error.code == ErrorCode::invalid_envelope)
      return report("invalid bootstrap envelope: ", error, status);
    if (error.code == ErrorCode::bootstrap_failed)
      return report("cannot read bootstrap envelope: ", error, status);
    return report("", error, status);
  }
  const bool direct = setup->direct_mode;
  spdlog::info("oxydra-vm for user {}: tier {}, provider {} ({}), shell {}", setup->user_id,
               to_string(setup->startup_status.sandbox_tier), setup->config.provider,
               setup->config.selected_provider().model,
               setup->startup_status.shell_available ? "available" : "disabled");
  for (const auto& reason : setup->startup_status.degraded_reasons) {
    spdlog::warn("degraded: {}: {}", reason.code, reason.detail);
  }
  ServerOptions server_options;
  server_options.sigint_cancels_turns = direct;
  auto server = Server::listen(std::move(*setup), server_options);
  if (!server) return report("", server.error(), kExitFailure);
  // Where a start's time goes (docs/benchmarks.md): waiting for the envelope
  // is the runner's part; the rest is ours.
  spdlog::info(
      "startup: envelope after {:.1f} ms, setup {:.1f} ms (memory.db, provider, tools), "
      "gateway bound after {:.1f} ms more",
      ms_between(entered, envelope_read), ms_between(envelope_read, set_up),
      ms_between(set_up, Clock::now()));
  return (*server)->run();
}

int audit_verify(const std::string& path) {
  auto summary = memory::verify_audit_log(path);
  if (!summary && summary.error().code == ErrorCode::audit_tampered) {
    std::printf("broken: %s\n", summary.error().message.c_str());
    return kExitFailure;
  }
  if (!summary) return report("audit-verify: ", summary.error(), kExitFailure);
  std::printf("ok: %llu lines\n", static_cast<unsigned long long>(summary->lines));
  return kExitOk;
}

}  // namespace oxydra::gateway
