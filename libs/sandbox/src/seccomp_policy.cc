#include "oxydra/sandbox/seccomp_policy.h"

#include <sched.h>

#include <cerrno>

namespace oxydra::sandbox {

namespace {

// EPERM rather than killing: the guest gets an error it can report, and probes
// can tell "refused by policy" from "crashed". Foreign architectures (i386 via
// int 0x80, x32) are killed instead (seccomp.cc), since nothing here needs them.
constexpr SyscallDenial kDenied[] = {
    // Changing the filesystem layout, including the new mount API.
    {"mount", EPERM, "filesystem layout"},
    {"umount2", EPERM, "filesystem layout"},
    {"pivot_root", EPERM, "filesystem layout"},
    {"chroot", EPERM, "filesystem layout"},
    {"mount_setattr", EPERM, "filesystem layout"},
    {"move_mount", EPERM, "filesystem layout"},
    {"open_tree", EPERM, "filesystem layout"},
    {"fsopen", EPERM, "filesystem layout"},
    {"fsconfig", EPERM, "filesystem layout"},
    {"fsmount", EPERM, "filesystem layout"},
    {"fspick", EPERM, "filesystem layout"},
    // Namespaces: a new user namespace hands out capabilities over a large
    // kernel surface; the agent runtime never needs one.
    {"unshare", EPERM, "namespaces"},
    {"setns", EPERM, "namespaces"},
    // Reading or changing other processes.
    {"ptrace", EPERM, "other processes"},
    {"process_vm_readv", EPERM, "other processes"},
    {"process_vm_writev", EPERM, "other processes"},
    // The kernel itself.
    {"kexec_load", EPERM, "kernel replacement"},
    {"kexec_file_load", EPERM, "kernel replacement"},
    {"reboot", EPERM, "kernel replacement"},
    {"init_module", EPERM, "kernel modules"},
    {"finit_module", EPERM, "kernel modules"},
    {"delete_module", EPERM, "kernel modules"},
    {"bpf", EPERM, "kernel attack surface"},
    {"perf_event_open", EPERM, "kernel attack surface"},
    {"userfaultfd", EPERM, "kernel attack surface"},
    // io_uring performs operations the filter never sees.
    {"io_uring_setup", EPERM, "bypasses seccomp"},
    {"io_uring_enter", EPERM, "bypasses seccomp"},
    {"io_uring_register", EPERM, "bypasses seccomp"},
    // Opening by file handle skips path-based checks (a classic container escape).
    {"open_by_handle_at", EPERM, "bypasses path checks"},
    {"name_to_handle_at", EPERM, "bypasses path checks"},
    // Kernel keyrings are not namespaced.
    {"keyctl", EPERM, "kernel keyring"},
    {"add_key", EPERM, "kernel keyring"},
    {"request_key", EPERM, "kernel keyring"},
    // Host-wide state a root guest could otherwise change.
    {"swapon", EPERM, "host state"},
    {"swapoff", EPERM, "host state"},
    {"acct", EPERM, "host state"},
    {"quotactl", EPERM, "host state"},
    {"settimeofday", EPERM, "host state"},
    {"clock_settime", EPERM, "host state"},
    {"clock_adjtime", EPERM, "host state"},
    {"sethostname", EPERM, "host state"},
    {"setdomainname", EPERM, "host state"},
    {"syslog", EPERM, "host state"},
    {"iopl", EPERM, "host state"},
    {"ioperm", EPERM, "host state"},
    // clone3 passes its flags in memory a filter cannot read; ENOSYS makes libc
    // fall back to clone, whose namespace flags are refused below.
    {"clone3", ENOSYS, "namespaces"},
};

constexpr CloneFlagDenial kDeniedCloneFlags[] = {
    {CLONE_NEWNS, "CLONE_NEWNS"},     {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
    {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWIPC, "CLONE_NEWIPC"},
    {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWPID, "CLONE_NEWPID"},
    {CLONE_NEWNET, "CLONE_NEWNET"},
};

}  // namespace

std::span<const SyscallDenial> seccomp_denied_syscalls() {
  return kDenied;
}
std::span<const CloneFlagDenial> seccomp_denied_clone_flags() {
  return kDeniedCloneFlags;
}

}  // namespace oxydra::sandbox
