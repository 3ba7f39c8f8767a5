#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/cli_errors.h"
#include "cli/commands.h"
#include "cli/metrics_format.h"
#include "cli/user_snapshot.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::runner {

namespace {

// node_exporter's textfile collector may read at any moment: the file is
// written beside its final name and renamed over it.
Result<void> replace_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  sys::UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return fail(ErrorCode::io, "open " + temporary + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::unlink(temporary.c_str());
      return fail(ErrorCode::io, "write " + temporary + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  fd.reset();
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temporary.c_str());
    return fail(ErrorCode::io, "rename " + temporary + " to " + path + ": " + std::strerror(err));
  }
  return {};
}

}  // namespace

int cmd_metrics(const CliOptions& options, const std::vector<Selection>& users) {
  const std::string text = format_metrics(snapshot_users(users, true));
  if (options.metrics.output.empty()) {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  if (auto written = replace_file(options.metrics.output, text); !written) {
    return report_error(written.error(), nullptr);
  }
  return kExitOk;
}

}  // namespace oxydra::runner
