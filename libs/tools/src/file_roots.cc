#include "oxydra/tools/file_roots.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <optional>

namespace oxydra::tools {

namespace {

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Length of `prefix` when `path` starts with it component-wise, else nullopt.
std::optional<std::size_t> prefix_length(const std::vector<std::string>& path,
                                         const std::filesystem::path& prefix) {
  std::vector<std::string> want;
  for (const auto& c : components(prefix.string())) {
    if (c != ".") want.push_back(c);
  }
  if (want.size() > path.size()) return std::nullopt;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (path[i] != want[i]) return std::nullopt;
  }
  return want.size();
}

std::string join(const std::vector<std::string>& parts, std::size_t end) {
  std::string out;
  for (std::size_t i = 0; i < end; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

std::filesystem::path absolute_normal(const std::filesystem::path& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return (ec ? p : abs).lexically_normal();
}

}  // namespace

std::vector<RootSpec> workspace_roots(const std::filesystem::path& shared,
                                      const std::filesystem::path& tmp,
                                      const std::filesystem::path& vault) {
  std::vector<RootSpec> roots{{"shared", shared, true}, {"tmp", tmp, true}};
  if (!vault.empty()) roots.push_back({"vault", vault, false});
  return roots;
}

FileRoots::FileRoots(std::vector<RootSpec> specs, std::vector<sys::UniqueFd> fds,
                     BeneathMethod method)
    : specs_(std::move(specs)), fds_(std::move(fds)), method_(method) {}

Result<std::shared_ptr<const FileRoots>> FileRoots::open(std::vector<RootSpec> roots,
                                                         BeneathMethod method) {
  if (roots.empty())
    return fail(ErrorCode::invalid_config, "file tools: no allowed folders configured");
  std::vector<sys::UniqueFd> fds;
  for (auto& spec : roots) {
    spec.path = absolute_normal(spec.path);
    for (auto& alias : spec.aliases)
      alias = absolute_normal(alias);
    const int fd = ::open(spec.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      return tl::unexpected(
          errno_error("open " + spec.name + " folder " + spec.path.string(), errno));
    fds.emplace_back(fd);
  }
  return std::make_shared<const FileRoots>(std::move(roots), std::move(fds), method);
}

std::string FileRoots::allowed_folders() const {
  std::string out;
  for (const auto& spec : specs_) {
    if (!out.empty()) out += ", ";
    out += spec.name + "/ (" + spec.path.string() + (spec.writable ? ")" : ", read-only)");
  }
  return out;
}

std::string FileRoots::summary() const {
  std::string out;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const auto& spec = specs_[i];
    out += "- " + spec.name + "/ = " + spec.path.string();
    for (const auto& alias : spec.aliases)
      out += " (also " + alias.string() + ")";
    if (i == 0) out += " (relative paths start here)";
    if (!spec.writable) out += " (read-only)";
    out += "\n";
  }
  return out;
}

Result<Location> FileRoots::locate(std::string_view path, Access access) const {
  if (path.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::path_refused, "the path contains a NUL byte");
  }
  const std::vector<std::string> parts = components(path);
  std::size_t root = 0;
  std::size_t skip = 0;
  if (!path.empty() && path.front() == '/') {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      auto consider = [&](const std::filesystem::path& prefix) {
        auto n = prefix_length(parts, prefix);
        if (n && (!best || *n > skip)) {
          best = i;
          skip = *n;
        }
      };
      consider(specs_[i].path);
      for (const auto& alias : specs_[i].aliases)
        consider(alias);
    }
    if (!best) {
      return fail(
          ErrorCode::path_refused,
          "\"" + std::string(path) + "\" is outside the allowed folders: " + allowed_folders());
    }
    root = *best;
  }
  const RootSpec& spec = specs_[root];
  std::vector<std::string> normal;
  for (std::size_t i = skip; i < parts.size(); ++i) {
    if (parts[i] == ".") continue;
    if (parts[i] == "..") {
      if (normal.empty()) {
        return fail(ErrorCode::path_refused,
                    "\"" + std::string(path) + "\" leads above " + spec.name +
                        "/ with \"..\"; allowed folders: " + allowed_folders());
      }
      normal.pop_back();
      continue;
    }
    normal.push_back(parts[i]);
  }
  Location at;
  at.root = root;
  at.relative = join(normal, normal.size());
  at.display = spec.name + "/" + at.relative;
  if (access == Access::write && !spec.writable) {
    return fail(ErrorCode::path_refused, at.display + ": " + spec.name +
                                             "/ is read-only; write under " + specs_.front().name +
                                             "/ instead");
  }
  return at;
}

Error FileRoots::open_error(const Location& at, int err) const {
  const std::string& name = specs_[at.root].name;
  switch (err) {
    case EXDEV:
      return Error{ErrorCode::path_refused,
                   at.display + ": a symbolic link in this path leads outside " + name +
                       "/; only paths inside the allowed folders can be used"};
    case ENOENT:
      return Error{ErrorCode::not_found, at.display + ": no such file or directory"};
    case EEXIST:
      return Error{ErrorCode::already_exists, at.display + ": already exists"};
    default:
      return errno_error(at.display, err);
  }
}

Result<sys::UniqueFd> FileRoots::open(const Location& at, int flags, mode_t mode) const {
  auto r = open_beneath(fds_[at.root].get(), at.relative, flags, mode, method_);
  if (!r) return tl::unexpected(open_error(at, r.error));
  return std::move(r.fd);
}

Result<void> FileRoots::create_parents(const Location& at) const {
  const std::vector<std::string> parts = components(at.relative);
  sys::UniqueFd parent;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    // mkdirat never follows a final symlink; the open below resolves it beneath.
    const int dir_fd = parent ? parent.get() : fds_[at.root].get();
    const Location sub{at.root, join(parts, i + 1),
                       specs_[at.root].name + "/" + join(parts, i + 1)};
    if (::mkdirat(dir_fd, parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
      return tl::unexpected(open_error(sub, errno));
    }
    auto next = open_beneath(fds_[at.root].get(), sub.relative, O_PATH | O_DIRECTORY, 0, method_);
    if (!next) return tl::unexpected(open_error(sub, next.error));
    parent = std::move(next.fd);
  }
  return {};
}

}  // namespace oxydra::tools
