#include "syscall_cases.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace oxydra::harden_probe {

namespace {

using nlohmann::json;

long sleeping_child_then(long (*op)(pid_t)) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  long rc = op(pid);
  int err = errno;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  errno = err;
  return rc;
}

long i386_getpid_in_child() {
  return in_child([] {
#if defined(__x86_64__)
    // The 32-bit getpid (20) through the legacy gate: a foreign architecture.
    asm volatile("int $0x80" : : "a"(20) : "memory");
#else
    ::_exit(ENOSYS);
#endif
  });
}

long clone_newuser_in_child() {
  long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) ::_exit(0);
  if (pid > 0) ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return pid < 0 ? -1L : 0L;
}

struct SyscallCase {
  const char* name;
  int filtered_errno;  // what the filter gives: EPERM, ENOSYS, or EPERM for SIGSYS
  // Harmless without the filter: bad arguments, or done in a child.
  long (*baseline)();
  // The call under the filter; `tmp` a writable directory, `parent` a pid.
  long (*filtered)(const char* tmp, pid_t parent);
};

const SyscallCase kCases[] = {
    {"mount", EPERM,
     [] { return static_cast<long>(::mount("none", "/", "oxydra-no-such-fs", 0, nullptr)); },
     [](const char* tmp, pid_t) {
       return static_cast<long>(::mount("none", tmp, "tmpfs", 0, nullptr));
     }},
    {"umount2", EPERM, [] { return static_cast<long>(::umount2("/oxydra-not-a-mount-point", 0)); },
     [](const char* tmp, pid_t) { return static_cast<long>(::umount2(tmp, MNT_DETACH)); }},
    {"ptrace_attach_parent", EPERM,
     [] {
       return sleeping_child_then([](pid_t pid) { return ::ptrace(PTRACE_ATTACH, pid, 0, 0); });
     },
     [](const char*, pid_t parent) { return ::ptrace(PTRACE_ATTACH, parent, 0, 0); }},
    {"bpf", EPERM, [] { return ::syscall(SYS_bpf, BPF_MAP_CREATE, nullptr, 0); },
     [](const char*, pid_t) { return ::syscall(SYS_bpf, BPF_MAP_CREATE, nullptr, 0); }},
    {"kexec_load", EPERM, [] { return ::syscall(SYS_kexec_load, 0, 0, nullptr, ~0UL); },
     [](const char*, pid_t) { return ::syscall(SYS_kexec_load, 0, 0, nullptr, ~0UL); }},
    {"keyctl", EPERM,
     [] { return ::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0); },
     [](const char*, pid_t) {
       return ::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
     }},
    {"unshare_user", EPERM,
     [] { return in_child([] { ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : errno); }); },
     [](const char*, pid_t) { return static_cast<long>(::unshare(CLONE_NEWUSER)); }},
    {"clone_newuser", EPERM, clone_newuser_in_child,
     [](const char*, pid_t) { return clone_newuser_in_child(); }},
    {"clone3", ENOSYS, [] { return ::syscall(SYS_clone3, nullptr, 0); },
     [](const char*, pid_t) { return ::syscall(SYS_clone3, nullptr, 0); }},
    {"io_uring_setup", EPERM, [] { return ::syscall(SYS_io_uring_setup, 1, nullptr); },
     [](const char*, pid_t) { return ::syscall(SYS_io_uring_setup, 1, nullptr); }},
    {"open_by_handle_at", EPERM,
     [] { return ::syscall(SYS_open_by_handle_at, AT_FDCWD, nullptr, O_RDONLY); },
     [](const char*, pid_t) {
       return ::syscall(SYS_open_by_handle_at, AT_FDCWD, nullptr, O_RDONLY);
     }},
    {"i386_int80_killed", EPERM, i386_getpid_in_child,
     [](const char*, pid_t) { return i386_getpid_in_child(); }},
};

int errno_of(long (*op)()) {
  errno = 0;
  return op() < 0 ? errno : 0;
}

// Why the kernel cannot show the filter refusing this case; empty when it can.
std::string not_applicable(const SyscallCase& c, int baseline_errno) {
  if (baseline_errno == ENOSYS) {
    return std::string("the kernel has no ") + c.name + " (ENOSYS without the filter)";
  }
  if (baseline_errno == ECHILD) {
    return std::string("the kernel kills the caller of ") + c.name +
           " without the filter (no such entry path, e.g. no int 0x80 on a 64-bit-only kernel)";
  }
  if (baseline_errno == c.filtered_errno) {
    return std::string("the kernel already refuses ") + c.name + " without the filter (" +
           std::strerror(baseline_errno) + ")";
  }
  return {};
}

}  // namespace

long in_child(void (*body)()) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    errno = WTERMSIG(status) == SIGSYS ? EPERM : ECHILD;
    return -1;
  }
  if (WEXITSTATUS(status) != 0) {
    errno = WEXITSTATUS(status);
    return -1;
  }
  return 0;
}

json kernel_baseline() {
  json out = json::object();
  for (const auto& c : kCases) {
    out[c.name] = json{{"errno", errno_of(c.baseline)}};
  }
  return out;
}

json filtered_syscall_probes(const std::string& tmp, int parent, const json& baseline) {
  json probes = json::array();
  for (const auto& c : kCases) {
    int baseline_errno = baseline.contains(c.name) ? baseline[c.name].value("errno", 0) : 0;
    std::string reason = not_applicable(c, baseline_errno);
    if (!reason.empty()) {
      probes.push_back(json{{"name", c.name}, {"not_applicable", reason}});
      continue;
    }
    errno = 0;
    int err = c.filtered(tmp.c_str(), static_cast<pid_t>(parent)) < 0 ? errno : 0;
    probes.push_back(json{{"name", c.name},
                          {"expect_errno", c.filtered_errno},
                          {"baseline_errno", baseline_errno},
                          {"errno", err},
                          {"result", err == 0 ? "ok" : std::strerror(err)},
                          {"pass", err == c.filtered_errno}});
  }
  return probes;
}

}  // namespace oxydra::harden_probe
