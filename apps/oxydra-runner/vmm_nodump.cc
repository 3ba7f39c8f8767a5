// oxydra-vmm-nodump.so: preloaded into every VMM the runner starts
// (LD_PRELOAD). Before the VMM's main runs, it makes the process not
// dumpable: no core, /proc/<pid>/mem and ptrace closed to its own uid, so
// nothing else running as that uid can read the guest's memory (which holds
// the credentials in oxydra-vm's VM). A flag set before exec would not
// survive it; this runs after.

#include <sys/prctl.h>

namespace {

__attribute__((constructor)) void make_not_dumpable() {
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace
