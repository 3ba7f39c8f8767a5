#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace oxydra::runner {

// Container guests run in a user namespace: guest ids 0..kGuestIdCount-1 map
// to a host range chosen per user, so one user's guests and another's are
// different unprivileged host users. The range is derived from the user id
// (FNV-1a), which is stable across restarts; two user ids can collide on a
// range (1 in 16384), which costs defence in depth, not isolation: neither
// user's guests ever see the other's files or processes.
inline constexpr std::uint32_t kGuestIdCount = 65536;
inline constexpr std::uint32_t kGuestIdFloor = 0x40000;
inline constexpr std::uint32_t kGuestIdRanges = 16384;
// The unprivileged user every guest process runs as, inside the guest.
inline constexpr std::uint32_t kGuestUid = 1000;

inline std::uint32_t guest_host_id_base(std::string_view user_id) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : user_id) {
    hash ^= c;
    hash *= 16777619u;
  }
  return kGuestIdFloor + (hash % kGuestIdRanges) * kGuestIdCount;
}

// The host uid (and gid) of the guest's unprivileged user: the owner of the
// user's shared, tmp, vault, ipc and internal directories on the container tier.
inline uid_t guest_host_uid(std::string_view user_id) {
  return guest_host_id_base(user_id) + kGuestUid;
}

}  // namespace oxydra::runner
