#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "file_io.h"
#include "oxydra/tools/file_tools.h"

namespace oxydra::tools {

namespace {

constexpr std::string_view kFileListName = "file_list";

// Names in `dir_fd`, sorted, without "." and "..".
Result<std::vector<std::string>> entry_names(int dir_fd, const std::string& display) {
  const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(errno_error("list " + display, errno));
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return tl::unexpected(errno_error("list " + display, errno));
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string link_target(int dir_fd, const std::string& name) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf, sizeof buf);
  return n < 0 ? std::string("?") : std::string(buf, static_cast<std::size_t>(n));
}

class FileList final : public Tool {
 public:
  FileList(std::shared_ptr<const FileRoots> roots, FileToolLimits limits)
      : Tool(std::string(kFileListName),
             "List a folder: one entry per line, folders ending in \"/\", files with their "
             "size, symbolic links with their target. Allowed folders:\n" +
                 roots->summary(),
             ArgSchema({
                 {.name = "path",
                  .type = ArgType::string,
                  .description = "Folder to list, relative to shared/ or an absolute path "
                                 "inside an allowed folder; default shared/"},
                 {.name = "recursive",
                  .type = ArgType::boolean,
                  .description = "Also list subfolders (up to " +
                                 std::to_string(limits.max_list_depth) + " levels and " +
                                 std::to_string(limits.max_list_entries) +
                                 " entries); default false"},
             }),
             SafetyTier::read_only),
        roots_(std::move(roots)),
        limits_(limits) {}

 protected:
  Result<ToolOutput> run(const nlohmann::json& args, const ToolContext& ctx) override {
    auto at = roots_->locate(args.value("path", std::string()), Access::read);
    if (!at) return file_failure(kFileListName, at.error());
    auto fd = roots_->open(*at, O_PATH);
    if (!fd) return file_failure(kFileListName, fd.error());
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) {
      return file_failure(kFileListName, errno_error("stat " + at->display, errno));
    }
    if (!S_ISDIR(st.st_mode)) {
      return ToolOutput::success(at->display + "  " +
                                 plural(static_cast<std::uint64_t>(st.st_size), "byte", "bytes") +
                                 " (a file, not a folder)");
    }
    Walk walk{ctx, args.value("recursive", false)};
    std::string folder = at->display;
    if (folder.back() != '/') folder += '/';
    if (auto listed = list(fd->get(), "", folder, 1, walk); !listed) {
      return file_failure(kFileListName, listed.error());
    }
    if (walk.lines.empty()) return ToolOutput::success(folder + " is empty");
    std::string out = folder + "\n";
    for (const auto& line : walk.lines)
      out += line + "\n";
    if (walk.full) {
      out += "[listing stopped at " + std::to_string(limits_.max_list_entries) +
             " entries; list a subfolder to see more]\n";
    }
    if (walk.too_deep) {
      out += "[folders deeper than " + std::to_string(limits_.max_list_depth) +
             " levels are not expanded; list them directly]\n";
    }
    if (walk.cancelled) out += "[cancelled before the listing was complete]\n";
    return ToolOutput::success(std::move(out));
  }

 private:
  struct Walk {
    const ToolContext& ctx;
    bool recursive = false;
    std::vector<std::string> lines = {};
    bool full = false;
    bool too_deep = false;
    bool cancelled = false;
  };

  // Subfolders are opened by name with O_NOFOLLOW, so the walk never leaves
  // the folder it started in, whatever links it meets.
  Result<void> list(int dir_fd, const std::string& prefix, const std::string& display,
                    std::uint64_t depth, Walk& walk) const {
    auto names = entry_names(dir_fd, display);
    if (!names) return tl::unexpected(names.error());
    for (const auto& name : *names) {
      if (walk.lines.size() >= limits_.max_list_entries) {
        walk.full = true;
        return {};
      }
      if (walk.ctx.stop.stop_requested()) {
        walk.cancelled = true;
        return {};
      }
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      const std::string path = prefix + name;
      if (S_ISLNK(st.st_mode)) {
        walk.lines.push_back(path + " -> " + link_target(dir_fd, name));
      } else if (S_ISDIR(st.st_mode)) {
        walk.lines.push_back(path + "/");
        if (walk.recursive) descend(dir_fd, name, path + "/", display + name + "/", depth, walk);
      } else if (S_ISREG(st.st_mode)) {
        walk.lines.push_back(path + "  " +
                             plural(static_cast<std::uint64_t>(st.st_size), "byte", "bytes"));
      } else {
        walk.lines.push_back(path + "  (special file)");
      }
    }
    return {};
  }

  void descend(int dir_fd, const std::string& name, const std::string& prefix,
               const std::string& display, std::uint64_t depth, Walk& walk) const {
    if (depth >= limits_.max_list_depth) {
      walk.too_deep = true;
      return;
    }
    const int fd = ::openat(dir_fd, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      walk.lines.back() += "  [cannot open: " + std::string(std::strerror(errno)) + "]";
      return;
    }
    sys::UniqueFd sub(fd);
    if (auto listed = list(sub.get(), prefix, display, depth + 1, walk); !listed) {
      walk.lines.push_back(prefix + "  [cannot list: " + listed.error().message + "]");
    }
  }

  std::shared_ptr<const FileRoots> roots_;
  FileToolLimits limits_;
};

}  // namespace

std::shared_ptr<Tool> make_file_list_tool(std::shared_ptr<const FileRoots> roots,
                                          FileToolLimits limits) {
  return std::make_shared<FileList>(std::move(roots), limits);
}

std::vector<std::shared_ptr<Tool>> make_file_tools(const std::shared_ptr<const FileRoots>& roots,
                                                   FileToolLimits limits) {
  return {make_file_read_tool(roots, limits), make_file_write_tool(roots, limits),
          make_file_edit_tool(roots, limits), make_file_list_tool(roots, limits)};
}

}  // namespace oxydra::tools
