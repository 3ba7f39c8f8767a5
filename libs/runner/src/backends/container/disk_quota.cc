#include "backends/container/disk_quota.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "backends/container/loop_mount.h"
#include "backends/container/oci/command_output.h"
#include "oxydra/sys/unique_fd.h"

namespace oxydra::runner {

namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds kToolTimeout{120};

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

Result<void> run_tool(const std::vector<std::string>& argv) {
  auto output = run_command(argv, kToolTimeout);
  if (!output) return tl::unexpected(output.error());
  if (output->exit_code != 0) {
    std::string command;
    for (const auto& arg : argv)
      command += (command.empty() ? "" : " ") + arg;
    std::string why = output->err.empty() ? output->out : output->err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    return fail(ErrorCode::io, command + ": exit " + std::to_string(output->exit_code) +
                                   (why.empty() ? "" : ": " + why));
  }
  return {};
}

Result<void> make_image(const DiskQuotaSpec& spec) {
  const fs::path partial = spec.image.string() + ".new";
  ::unlink(partial.c_str());
  {
    sys::UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) return tl::unexpected(errno_error("create " + partial.string(), errno));
    if (::ftruncate(fd.get(), static_cast<off_t>(spec.size_mib) << 20) != 0)
      return tl::unexpected(errno_error("size " + partial.string(), errno));
  }
  const std::string owner = std::to_string(spec.owner) + ":" + std::to_string(spec.owner);
  // No reserved blocks (the guest gets the whole allowance); a journal only
  // where the data outlives a start.
  std::vector<std::string> mkfs = {"/sbin/mkfs.ext4",    "-q", "-F", "-m", "0", "-E",
                                   "root_owner=" + owner};
  if (spec.fresh) mkfs.insert(mkfs.end(), {"-O", "^has_journal"});
  mkfs.push_back(partial.string());
  if (auto made = run_tool(mkfs); !made) return made;
  if (::rename(partial.c_str(), spec.image.c_str()) != 0)
    return tl::unexpected(errno_error("rename " + partial.string(), errno));
  return {};
}

// A fresh image is made when the user stops (renew_fresh_image), so that the
// next start only mounts it; the marker says it was never mounted since.
fs::path premade_marker(const DiskQuotaSpec& spec) {
  return spec.image.string() + ".fresh";
}

bool take_premade(const DiskQuotaSpec& spec) {
  struct stat st {};
  const bool usable = ::stat(spec.image.c_str(), &st) == 0 && st.st_size == (spec.size_mib << 20);
  // Used at most once, whatever follows.
  return ::unlink(premade_marker(spec).c_str()) == 0 && usable;
}

void renew_fresh_image(const DiskQuotaSpec& spec) {
  ::unlink(premade_marker(spec).c_str());
  if (auto made = make_image(spec); !made) {
    spdlog::warn("disk quota: {} (the next start makes it)", made.error().message);
    return;
  }
  sys::UniqueFd marker(
      ::open(premade_marker(spec).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
}

bool has_entries(const fs::path& dir) {
  std::error_code ec;
  return fs::directory_iterator(dir, ec) != fs::directory_iterator();
}

// A directory that held data before quotas: its content moves into the image.
Result<void> copy_in(const DiskQuotaSpec& spec) {
  const fs::path staging = spec.image.parent_path() / "staging";
  std::error_code ec;
  fs::create_directory(staging, ec);
  if (ec) return tl::unexpected(errno_error("mkdir " + staging.string(), ec.value()));
  if (auto mounted = mount_ext4_image(spec.image, staging); !mounted) return mounted;
  auto copied = run_tool({"/bin/cp", "-a", "--", spec.dir.string() + "/.", staging.string()});
  ::umount2(staging.c_str(), 0);
  if (!copied) return copied;
  spdlog::info("disk quota: moved the content of {} into {}", spec.dir.string(),
               spec.image.string());
  return {};
}

}  // namespace

bool is_mount_point(const fs::path& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  const std::string wanted = dir.lexically_normal().string();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    if (unescape_mountinfo(mount_point) == wanted) return true;
  }
  return false;
}

Result<std::string> attach_disk_quota(const DiskQuotaSpec& spec) {
  const std::string how = std::to_string(spec.size_mib) + " MiB ext4 image (loop mount)";
  // Mounted already: by this runner for the other guest, or by one killed
  // with -9. Either way it is the user's image and stays.
  if (is_mount_point(spec.dir)) return how;
  std::error_code ec;
  fs::create_directory(spec.image.parent_path(), ec);
  if (ec)
    return tl::unexpected(errno_error("mkdir " + spec.image.parent_path().string(), ec.value()));
  ::chmod(spec.image.parent_path().c_str(), 0700);
  const bool exists = fs::exists(spec.image, ec);
  if (spec.fresh && exists && take_premade(spec)) {
    // Made empty when the user last stopped: nothing to do here.
  } else if (spec.fresh || !exists) {
    if (exists) fs::remove(spec.image, ec);
    if (auto made = make_image(spec); !made) return tl::unexpected(made.error());
    if (!spec.fresh && has_entries(spec.dir)) {
      if (auto copied = copy_in(spec); !copied) return tl::unexpected(copied.error());
    }
  } else {
    struct stat st {};
    if (::stat(spec.image.c_str(), &st) == 0 && st.st_size != (spec.size_mib << 20)) {
      spdlog::warn(
          "disk quota: {} is {} MiB, the user's max_disk_mib is {}; keeping its size "
          "(stop the user and move the image away to recreate it)",
          spec.image.string(), st.st_size >> 20, spec.size_mib);
    }
  }
  if (auto mounted = mount_ext4_image(spec.image, spec.dir); !mounted)
    return tl::unexpected(mounted.error());
  // mkfs's lost+found is no business of the guest's.
  ::rmdir((spec.dir / "lost+found").c_str());
  return how;
}

void detach_disk_quota(const fs::path& dir) {
  if (!is_mount_point(dir)) return;
  if (::umount2(dir.c_str(), 0) == 0) return;
  if (errno == EBUSY && ::umount2(dir.c_str(), MNT_DETACH) == 0) return;
  spdlog::warn("disk quota: umount {}: {}", dir.string(), std::strerror(errno));
}

namespace {

struct Bounded {
  const fs::path& dir;
  const char* name;
  bool fresh;
};

std::vector<Bounded> bounded_dirs(const UserPolicy& p) {
  return {Bounded{p.shared, "shared", false}, Bounded{p.tmp, "tmp", true}};
}

DiskQuotaSpec spec_of(const UserPolicy& p, const Bounded& b, uid_t owner) {
  return DiskQuotaSpec{b.dir, p.layout.root / "disk" / (std::string(b.name) + ".img"),
                       p.resources.max_disk_mib, owner, b.fresh};
}

}  // namespace

Result<std::vector<std::string>> attach_user_disk_quotas(const UserPolicy& p, uid_t owner) {
  std::vector<std::string> notes;
  for (const Bounded& b : bounded_dirs(p)) {
    if (!path_within(b.dir, p.layout.root)) {
      notes.push_back(std::string("disk: ") + b.name + " is the operator's directory " +
                      b.dir.string() + ": not bounded by the runner");
      continue;
    }
    auto how = attach_disk_quota(spec_of(p, b, owner));
    if (!how) return tl::unexpected(how.error());
    notes.push_back(std::string("disk: ") + b.name + " bounded by a " + *how);
  }
  return notes;
}

void detach_user_disk_quotas(const UserPolicy& p, uid_t owner) {
  for (const Bounded& b : bounded_dirs(p)) {
    if (!path_within(b.dir, p.layout.root) || !is_mount_point(b.dir)) continue;
    detach_disk_quota(b.dir);
    if (b.fresh) renew_fresh_image(spec_of(p, b, owner));
  }
}

}  // namespace oxydra::runner
