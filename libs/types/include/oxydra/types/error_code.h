#pragma once

#include <cstdint>
#include <iosfwd>
#include <iterator>
#include <string_view>

namespace oxydra {

// Every error code of the system, in one list. The snake_case names are
// stable: the wire protocols (protocol.md) carry them, tools report them to
// the model, and the operator CLI maps them to exit statuses and hints.
#define OXYDRA_ERROR_CODES(X)                                                        \
  /* anywhere */                                                                     \
  X(internal)                                                                        \
  X(io)                                                                              \
  X(timeout)                                                                         \
  X(cancelled)                                                                       \
  X(truncated)                                                                       \
  X(unrecognized) /* a peer's code this build does not know; the message names it */ \
  /* input */                                                                        \
  X(invalid_config)                                                                  \
  X(invalid_value)                                                                   \
  X(invalid_request)                                                                 \
  X(invalid_arguments)                                                               \
  X(invalid_response)                                                                \
  X(invalid_frame)                                                                   \
  X(frame_too_large)                                                                 \
  X(invalid_path)                                                                    \
  X(invalid_user_id)                                                                 \
  X(invalid_history)                                                                 \
  X(invalid_envelope)                                                                \
  X(schema_too_new)                                                                  \
  X(unknown_op)                                                                      \
  X(unknown_session)                                                                 \
  X(unknown_user)                                                                    \
  X(user_required)                                                                   \
  X(no_users)                                                                        \
  X(no_runner_config)                                                                \
  /* connections */                                                                  \
  X(connection_failed)                                                               \
  X(connection_lost)                                                                 \
  X(address_in_use)                                                                  \
  X(not_accepted)                                                                    \
  X(not_answering)                                                                   \
  X(not_ready)                                                                       \
  X(request_timeout)                                                                 \
  X(idle_timeout)                                                                    \
  /* shell daemon and shell tools */                                                 \
  X(empty_command)                                                                   \
  X(spawn_failed)                                                                    \
  X(too_many_sessions)                                                               \
  X(busy)                                                                            \
  X(tool_disabled)                                                                   \
  X(duplicate_tool)                                                                  \
  X(unknown_tool)                                                                    \
  X(tool_failed)                                                                     \
  X(no_shell)                                                                        \
  X(path_refused)                                                                    \
  X(peer_refused)                                                                    \
  X(not_found)                                                                       \
  X(already_exists)                                                                  \
  X(file_too_large)                                                                  \
  X(not_regular_file)                                                                \
  X(is_directory)                                                                    \
  X(browser_unavailable)                                                             \
  X(sidecar_transport_unsupported)                                                   \
  X(sidecar_connection_failed)                                                       \
  X(sidecar_protocol_error)                                                          \
  X(sidecar_endpoint_invalid)                                                        \
  X(sidecar_unavailable)                                                             \
  X(insecure_process_tier)                                                           \
  X(process_hardening_limited)                                                       \
  X(container_isolation_limited)                                                     \
  X(runtime_shutdown)                                                                \
  /* provider */                                                                     \
  X(provider_error)                                                                  \
  X(provider_unavailable)                                                            \
  X(http_error)                                                                      \
  /* memory */                                                                       \
  X(storage)                                                                         \
  X(audit_locked)                                                                    \
  X(audit_tampered)                                                                  \
  /* hardening and guests */                                                         \
  X(hardening_required)                                                              \
  X(hardening_failed)                                                                \
  X(process_hardening_failed)                                                        \
  X(bootstrap_failed)                                                                \
  X(credential_missing)                                                              \
  X(tier_unavailable)                                                                \
  X(already_running)                                                                 \
  X(not_running)                                                                     \
  X(startup_timeout)                                                                 \
  X(guest_exited)                                                                    \
  X(guest_missing)                                                                   \
  X(guest_image_missing)                                                             \
  X(docker_image_missing)                                                            \
  X(container_cleanup)                                                               \
  X(docker_error)                                                                    \
  X(docker_unavailable)

enum class ErrorCode : std::uint8_t {
#define OXYDRA_ERROR_CODE_ENUMERATOR(name) name,
  OXYDRA_ERROR_CODES(OXYDRA_ERROR_CODE_ENUMERATOR)
#undef OXYDRA_ERROR_CODE_ENUMERATOR
};

namespace error_code_detail {
inline constexpr std::string_view kNames[] = {
#define OXYDRA_ERROR_CODE_NAME(name) #name,
    OXYDRA_ERROR_CODES(OXYDRA_ERROR_CODE_NAME)
#undef OXYDRA_ERROR_CODE_NAME
};
}  // namespace error_code_detail

// The code's wire name, e.g. "unknown_session".
constexpr std::string_view to_string(ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  return index < std::size(error_code_detail::kNames) ? error_code_detail::kNames[index]
                                                      : std::string_view("internal");
}
// The code a peer sent; `unrecognized` for a name this build does not know.
ErrorCode error_code_from_string(std::string_view name);
// Writes the wire name (test failure messages, logs).
std::ostream& operator<<(std::ostream& out, ErrorCode code);

}  // namespace oxydra
