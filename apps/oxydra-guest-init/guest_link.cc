#include "guest_link.h"

#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "oxydra/vmlink/link.h"
#include "privileges.h"

namespace oxydra::guest_init {

namespace {

void complain(const std::string& what, int error) {
  std::fprintf(stderr, "oxydra-guest-init: link: %s: %s\n", what.c_str(), std::strerror(error));
}

// The host side of the link: a virtio port, or the one connection a
// Firecracker host makes to our vsock port.
int open_link_device(const std::string& device) {
  if (device.rfind("vsock:", 0) != 0) {
    const int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) complain("open " + device, errno);
    return fd;
  }
  const int listener = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) {
    complain("vsock socket", errno);
    return -1;
  }
  sockaddr_vm address{};
  address.svm_family = AF_VSOCK;
  address.svm_cid = VMADDR_CID_ANY;
  address.svm_port = static_cast<unsigned>(std::strtoul(device.c_str() + 6, nullptr, 10));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 1) != 0) {
    complain("listen on " + device, errno);
    ::close(listener);
    return -1;
  }
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) complain("accept on " + device, errno);
  ::close(listener);
  return fd;
}

// A virtio port reports POLLHUP until the host's side is connected, and
// what the guest writes before then is lost: wait for it.
void wait_for_host(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return;
  for (;;) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 0) >= 0 && (p.revents & POLLHUP) == 0) return;
    ::usleep(20 * 1000);
  }
}

int listen_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (fd < 0 || path.size() >= sizeof address.sun_path) {
    complain("socket " + path, fd < 0 ? errno : ENAMETOOLONG);
    return -1;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::chmod(path.c_str(), 0600) != 0 || ::listen(fd, 64) != 0) {
    complain("listen on " + path, errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

// What the host's enforcement report says about the guest, measured here
// after the privileges were dropped (the program gets the same): see
// libs/runner/src/backends/micro_vm/guest_hello.h.
std::string measured_hello() {
  utsname names{};
  ::uname(&names);
  std::string hello = std::string("kernel=") + names.release + " uid=" + std::to_string(::getuid());
  FILE* status = std::fopen("/proc/self/status", "re");
  char line[256];
  while (status != nullptr && std::fgets(line, sizeof line, status) != nullptr) {
    char value[64];
    if (std::sscanf(line, "NoNewPrivs: %63s", value) == 1)
      hello += std::string(" no_new_privs=") + value;
    if (std::sscanf(line, "CapEff: %63s", value) == 1) hello += std::string(" cap_eff=") + value;
    if (std::sscanf(line, "Seccomp: %63s", value) == 1) hello += std::string(" seccomp=") + value;
  }
  if (status != nullptr) std::fclose(status);
  struct statvfs root {};
  if (::statvfs("/", &root) == 0) hello += (root.f_flag & ST_RDONLY) ? " root_ro=1" : " root_ro=0";
  return hello;
}

[[noreturn]] void serve(const LinkArguments& link, long uid, long gid,
                        const sandbox::SeccompPlan* filter, int shutdown_write) {
  const int device = open_link_device(link.device);
  if (device < 0) ::_exit(1);
  if (uid > 0) {
    if (const int error = drop_privileges(uid, gid); error != 0) {
      complain("dropping privileges", error);
      ::_exit(1);
    }
  }
  if (filter != nullptr) {
    if (const int error = sandbox::apply_seccomp(*filter); error != 0) {
      complain("seccomp", error);
      ::_exit(1);
    }
  }
  vmlink::LinkOptions options;
  options.odd_channels = false;
  options.hello = measured_hello();
  if (filter != nullptr) options.hello += " seccomp_policy=" + filter->policy;
  for (const auto& [name, socket] : link.services)
    options.services.push_back({name, socket});
  for (const auto& [socket, name] : link.forwards) {
    const int listener = listen_unix(socket);
    if (listener < 0) ::_exit(1);
    options.forwards.push_back({name, sys::UniqueFd(listener)});
  }
  options.on_shutdown = [shutdown_write] {
    const char byte = 'S';
    (void)!::write(shutdown_write, &byte, 1);
  };
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "oxydra-guest-init: link: %s\n", line.c_str());
  };
  wait_for_host(device);
  vmlink::Link served(sys::UniqueFd(device), std::move(options));
  const std::string why = served.run();
  std::fprintf(stderr, "oxydra-guest-init: link: %s\n", why.c_str());
  ::_exit(0);
}

}  // namespace

pid_t start_guest_link(const LinkArguments& link, long uid, long gid,
                       const sandbox::SeccompPlan* filter, int& shutdown_fd) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    complain("pipe", errno);
    return -1;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    complain("fork", errno);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return -1;
  }
  if (pid == 0) {
    ::close(pipe_fds[0]);
    serve(link, uid, gid, filter, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  shutdown_fd = pipe_fds[0];
  return pid;
}

}  // namespace oxydra::guest_init
