#include "oxydra/sandbox/shell_backend.h"

#include "oxydra/sandbox/daemon_shell_session.h"
#include "oxydra/sandbox/local_shell_session.h"

namespace oxydra::sandbox {

namespace {

class DaemonBackend final : public ShellBackend {
 public:
  explicit DaemonBackend(std::shared_ptr<DaemonClient> client) : client_(std::move(client)) {}
  Availability status() const override { return client_->status(); }
  std::unique_ptr<ShellSession> new_session() override {
    return std::make_unique<DaemonShellSession>(client_);
  }

 private:
  std::shared_ptr<DaemonClient> client_;
};

class LocalBackend final : public ShellBackend {
 public:
  Availability status() const override { return LocalProcessShellSession().status(); }
  std::unique_ptr<ShellSession> new_session() override {
    return std::make_unique<LocalProcessShellSession>();
  }
};

class UnavailableBackend final : public ShellBackend {
 public:
  explicit UnavailableBackend(Availability reason) : reason_(std::move(reason)) {
    reason_.available = false;
  }
  Availability status() const override { return reason_; }
  std::unique_ptr<ShellSession> new_session() override {
    return unavailable_shell_session(reason_);
  }

 private:
  Availability reason_;
};

std::unique_ptr<ShellBackend> unavailable(const Error& error) {
  return unavailable_shell_backend(Availability::unavailable(error.code, error.message));
}

}  // namespace

std::unique_ptr<ShellBackend> open_shell_backend(const SidecarEndpoint& endpoint,
                                                 const DaemonClientOptions& options) {
  auto parsed = parse_endpoint(endpoint);
  if (!parsed) return unavailable(parsed.error());
  auto client = DaemonClient::connect(*parsed, options);
  if (!client) return unavailable(client.error());
  return daemon_shell_backend(std::move(*client));
}

std::unique_ptr<ShellBackend> open_shell_backend(const std::optional<ChannelEndpoint>& endpoint,
                                                 const DaemonClientOptions& options) {
  if (!endpoint) {
    return unavailable_shell_backend(
        Availability::unavailable(degraded::kSidecarUnavailable, "no sidecar endpoint configured"));
  }
  return open_shell_backend(
      SidecarEndpoint{std::string(to_string(endpoint->transport)), endpoint->address}, options);
}

std::unique_ptr<ShellBackend> daemon_shell_backend(std::shared_ptr<DaemonClient> client) {
  return std::make_unique<DaemonBackend>(std::move(client));
}

std::unique_ptr<ShellBackend> local_shell_backend() {
  return std::make_unique<LocalBackend>();
}

std::unique_ptr<ShellBackend> unavailable_shell_backend(Availability reason) {
  return std::make_unique<UnavailableBackend>(std::move(reason));
}

std::unique_ptr<ShellSession> open_shell_session(const SidecarEndpoint& endpoint,
                                                 const DaemonClientOptions& options) {
  return open_shell_backend(endpoint, options)->new_session();
}

}  // namespace oxydra::sandbox
