#pragma once

#include <chrono>
#include <string>

#include "oxydra/types/envelope.h"
#include "oxydra/types/error.h"

namespace oxydra::runner {

// Validates `envelope` and writes it as one frame to `fd` (a socket), within
// `timeout`. The serialized bytes hold the credentials and are overwritten
// before they are freed. `guest` names the receiver in errors.
Result<void> deliver_envelope(int fd, const BootstrapEnvelope& envelope,
                              std::chrono::seconds timeout, const std::string& guest);

// For a container guest, which sees the user's directories under
// `guest_workspace` rather than at the host's paths: rewrites the envelope's
// paths to that view, delivers it, and overwrites the credential values.
Result<void> deliver_to_container(int fd, BootstrapEnvelope envelope,
                                  const std::string& guest_workspace, std::chrono::seconds timeout,
                                  const std::string& guest);

}  // namespace oxydra::runner
