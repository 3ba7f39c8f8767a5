#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "file_io.h"
#include "oxydra/tools/file_tools.h"

namespace oxydra::tools {

namespace {

constexpr std::string_view kFileReadName = "file_read";

// True when `bytes` looks like binary data (a NUL byte in it).
bool looks_binary(std::string_view bytes) {
  return bytes.find('\0') != std::string_view::npos;
}

// What one read produced, before it is phrased for the model.
struct Slice {
  std::string text;
  std::uint64_t lines = 0;       // complete or final lines taken
  std::uint64_t skipped = 0;     // lines skipped for the offset
  std::uint64_t start_byte = 0;  // file position of text's first byte
  bool more = false;             // the file continues after text
  bool hit_byte_limit = false;
  bool cut_mid_line = false;
};

class FileRead final : public Tool {
 public:
  FileRead(std::shared_ptr<const FileRoots> roots, FileToolLimits limits)
      : Tool(std::string(kFileReadName),
             "Read a text file. Returns its contents (at most " +
                 std::to_string(limits.max_read_bytes) +
                 " bytes per call; use offset and limit to page through larger files). "
                 "Allowed folders:\n" +
                 roots->summary(),
             ArgSchema({
                 {.name = "path",
                  .type = ArgType::string,
                  .description = "File to read, relative to shared/ or an absolute path inside "
                                 "an allowed folder",
                  .required = true,
                  .non_empty = true},
                 {.name = "offset",
                  .type = ArgType::integer,
                  .description = "Number of lines (or bytes, with unit=bytes) to skip first; "
                                 "default 0",
                  .minimum = 0},
                 {.name = "limit",
                  .type = ArgType::integer,
                  .description = "Maximum number of lines (or bytes) to return",
                  .minimum = 1},
                 {.name = "unit",
                  .type = ArgType::string,
                  .description = "What offset and limit count; default lines",
                  .allowed = {"lines", "bytes"}},
             }),
             SafetyTier::read_only),
        roots_(std::move(roots)),
        limits_(limits) {}

 protected:
  Result<ToolOutput> run(const nlohmann::json& args, const ToolContext& ctx) override {
    auto at = roots_->locate(args["path"].get<std::string>(), Access::read);
    if (!at) return file_failure(kFileReadName, at.error());
    auto fd = roots_->open(*at, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (!fd) return file_failure(kFileReadName, fd.error());
    auto st = regular_file(fd->get(), *at);
    if (!st) return file_failure(kFileReadName, st.error());

    const auto offset = static_cast<std::uint64_t>(args.value("offset", std::int64_t{0}));
    const bool bytes = args.value("unit", std::string("lines")) == "bytes";
    const auto size = static_cast<std::uint64_t>(st->st_size);
    if (bytes) return read_bytes(fd->get(), *at, offset, args, size);

    const auto limit = static_cast<std::uint64_t>(args.value("limit", std::int64_t{0}));
    auto slice = read_lines(fd->get(), *at, offset, limit == 0 ? UINT64_MAX : limit, ctx.stop);
    if (!slice) return file_failure(kFileReadName, slice.error());
    if (looks_binary(slice->text)) return binary(*at, size);
    return ToolOutput::success(describe_lines(*at, *slice, offset, size));
  }

 private:
  Result<Slice> read_lines(int fd, const Location& at, std::uint64_t offset, std::uint64_t limit,
                           const std::stop_token& stop) {
    Slice s;
    const std::uint64_t max = limits_.max_read_bytes;
    std::uint64_t pos = 0;
    bool partial = false;        // the last line taken has no newline yet
    std::size_t line_start = 0;  // where that line starts in s.text
    char buf[64 << 10];
    for (;;) {
      // Skipping to a large offset may read a big file; a cancel stops it.
      if (stop.stop_requested()) {
        return fail(ErrorCode::cancelled, at.display + ": cancelled while reading");
      }
      const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(pos));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return tl::unexpected(errno_error("read " + at.display, errno));
      if (n == 0) break;
      const std::string_view chunk(buf, static_cast<std::size_t>(n));
      std::size_t i = 0;
      while (i < chunk.size() && s.skipped < offset) {
        const std::size_t nl = chunk.find('\n', i);
        if (nl == std::string_view::npos) {
          i = chunk.size();
        } else {
          i = nl + 1;
          ++s.skipped;
        }
      }
      if (s.skipped == offset && s.text.empty() && !partial) s.start_byte = pos + i;
      while (i < chunk.size() && s.lines < limit) {
        const std::size_t nl = chunk.find('\n', i);
        const std::size_t end = nl == std::string_view::npos ? chunk.size() : nl + 1;
        if (s.text.size() + (end - i) > max) {
          s.hit_byte_limit = s.more = true;
          s.cut_mid_line = s.lines == 0;
          // Whole lines only, unless a single line is larger than the limit.
          if (s.cut_mid_line) {
            s.text.append(chunk.substr(i, max - s.text.size()));
          } else {
            s.text.resize(line_start);
          }
          return s;
        }
        s.text.append(chunk.substr(i, end - i));
        partial = nl == std::string_view::npos;
        if (!partial) {
          ++s.lines;
          line_start = s.text.size();
        }
        i = end;
      }
      if (s.lines >= limit) {
        s.more = i < chunk.size() || has_more(fd, pos + chunk.size());
        return s;
      }
      pos += chunk.size();
    }
    if (partial) ++s.lines;
    return s;
  }

  static bool has_more(int fd, std::uint64_t pos) {
    char c;
    return ::pread(fd, &c, 1, static_cast<off_t>(pos)) == 1;
  }

  std::string describe_lines(const Location& at, const Slice& s, std::uint64_t offset,
                             std::uint64_t size) const {
    if (size == 0) return "[" + at.display + " is empty]";
    if (s.skipped < offset) {
      return "[" + at.display + " has only " + plural(s.skipped, "line", "lines") + "; offset " +
             std::to_string(offset) + " is past the end]";
    }
    std::string out = s.text;
    if (!s.more) return out;
    if (!out.empty() && out.back() != '\n') out += '\n';
    const std::uint64_t next = offset + s.lines;
    if (s.cut_mid_line) {
      out += "[stopped at the " + std::to_string(limits_.max_read_bytes) +
             "-byte limit inside line " + std::to_string(next + 1) +
             "; read the rest with unit=\"bytes\" offset=" +
             std::to_string(s.start_byte + s.text.size()) + "]";
    } else {
      out += "[showing lines " + std::to_string(offset + 1) + "-" + std::to_string(next) + " of " +
             at.display + (s.hit_byte_limit ? " (byte limit reached)" : "") +
             "; more follows: continue with offset=" + std::to_string(next) + "]";
    }
    return out;
  }

  Result<ToolOutput> read_bytes(int fd, const Location& at, std::uint64_t offset,
                                const nlohmann::json& args, std::uint64_t size) {
    const auto asked = static_cast<std::uint64_t>(args.value("limit", std::int64_t{0}));
    const std::uint64_t want = std::min(asked == 0 ? UINT64_MAX : asked, limits_.max_read_bytes);
    if (offset >= size && size > 0) {
      return ToolOutput::success("[" + at.display + " has " + plural(size, "byte", "bytes") +
                                 "; offset " + std::to_string(offset) + " is past the end]");
    }
    std::string text(static_cast<std::size_t>(std::min(want, size - std::min(offset, size))), '\0');
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n =
          ::pread(fd, text.data() + done, text.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return file_failure(kFileReadName, errno_error("read " + at.display, errno));
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    text.resize(done);
    if (looks_binary(text)) return binary(at, size);
    if (size == 0) return ToolOutput::success("[" + at.display + " is empty]");
    if (offset == 0 && done == size) return ToolOutput::success(std::move(text));
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += "[bytes " + std::to_string(offset) + "-" + std::to_string(offset + done) + " of " +
            std::to_string(size) + " in " + at.display + "]";
    return ToolOutput::success(std::move(text));
  }

  static ToolOutput binary(const Location& at, std::uint64_t size) {
    return ToolOutput::failure("binary_file", std::string(kFileReadName) + ": " + at.display +
                                                  " looks like a binary file (" +
                                                  plural(size, "byte", "bytes") +
                                                  "); file_read returns text only");
  }

  std::shared_ptr<const FileRoots> roots_;
  FileToolLimits limits_;
};

}  // namespace

std::shared_ptr<Tool> make_file_read_tool(std::shared_ptr<const FileRoots> roots,
                                          FileToolLimits limits) {
  return std::make_shared<FileRead>(std::move(roots), limits);
}

}  // namespace oxydra::tools
