#pragma once

#include <cstdint>
#include <filesystem>

#include "oxydra/types/error.h"

namespace oxydra::runner {

// A guest's host id range [first, first + count) must belong to nobody else:
// no range delegated in /etc/subuid or /etc/subgid (another user's rootless
// containers, Docker's dockremap) and no existing user or group of the host
// (getpwent/getgrent), or the guest's files and processes would be theirs.
// Fails with tier_unavailable naming the conflict.
struct IdSources {
  std::filesystem::path subuid = "/etc/subuid";
  std::filesystem::path subgid = "/etc/subgid";
  std::filesystem::path passwd = "/etc/passwd";
  std::filesystem::path group = "/etc/group";
};

Result<void> check_guest_id_range(std::uint32_t first, std::uint32_t count,
                                  const IdSources& sources = {});

}  // namespace oxydra::runner
