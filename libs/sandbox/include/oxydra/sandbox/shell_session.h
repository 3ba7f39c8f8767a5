#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>

#include "oxydra/sandbox/status.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

enum class OutputStream { stdout_stream, stderr_stream };

// A piece of a command's output. `data` is UTF-8 (invalid bytes replaced).
struct OutputChunk {
  OutputStream stream = OutputStream::stdout_stream;
  std::string data{};
  std::uint64_t offset = 0;  // byte position of this chunk within its stream (streaming)
  bool eof = false;          // read_output(): nothing more is pending
};

struct SpawnOptions {
  std::optional<std::string> cwd{};  // must exist; the backend's default otherwise
  std::map<std::string, std::string> env{};
};

// Called on a backend thread as output arrives; keep it short. It may call
// cancel() on the session, but must not wait for the session otherwise.
using OutputCallback = std::function<void(const OutputChunk&)>;

struct ExecOptions {
  std::string command{};                            // run by the session's shell (sh -c semantics)
  std::optional<std::chrono::seconds> timeout{};    // at least 1 s
  std::optional<std::string> stdin_data{};          // stdin is /dev/null otherwise
  OutputCallback on_output{};                       // set: stream output while the command runs
  std::optional<std::uint64_t> max_output_bytes{};  // backend default (64 KiB) otherwise
  std::stop_token stop{};                           // request_stop() cancels this command
  // Fill ExecResult's text. false leaves it pending for read_output() (pull mode).
  bool collect_output = true;
};

// A finished command. Output keeps the head and tail of each stream within
// max_output_bytes; `truncated_bytes` counts what was dropped.
struct ExecResult {
  std::optional<int> exit_code{};  // null when killed by a signal
  std::optional<int> signal{};
  bool timed_out = false;
  bool cancelled = false;  // cancel() or the stop token stopped it
  std::chrono::milliseconds duration{0};
  std::uint64_t stdout_bytes = 0;  // printed, before truncation
  std::uint64_t stderr_bytes = 0;
  std::uint64_t truncated_bytes = 0;
  std::string cwd{};  // the working directory after the command
  std::string stdout_text{};
  std::string stderr_text{};
};

// One shell with state: the working directory and exported environment after
// a command are in force for the next. One command at a time (`busy`
// otherwise); every method may be called from any thread, and cancel() from
// another thread while exec() runs.
class ShellSession {
 public:
  virtual ~ShellSession() = default;

  // Whether commands can run here; when not, every call fails with `code`.
  virtual Availability status() const = 0;
  // Starts the shell (again, after kill or a lost session).
  virtual Result<void> spawn(const SpawnOptions& options) = 0;
  // Runs one command to completion, timeout or cancellation. Errors are for
  // commands that did not run or whose outcome is unknown (connection lost).
  virtual Result<ExecResult> exec(const ExecOptions& options) = 0;
  // Pull mode: the next pending piece of output; `eof` when none is left.
  virtual Result<OutputChunk> read_output(std::optional<std::uint64_t> max_bytes) = 0;
  // Stops the running command (its whole process group). false: none was running.
  virtual Result<bool> cancel() = 0;
  // Stops any running command and ends the session.
  virtual Result<void> kill() = 0;
  // The backend's id for the session once spawned.
  virtual std::optional<std::string> id() const = 0;
};

}  // namespace oxydra::sandbox
