#pragma once

namespace oxydra::guest_init {

// Drops to uid:gid for good, before exec: no supplementary groups, an empty
// capability bounding set, no_new_privs. 0, or the errno of the step that
// failed. Only system calls: safe between fork and exec.
int drop_privileges(long uid, long gid);

}  // namespace oxydra::guest_init
