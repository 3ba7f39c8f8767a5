#include "backends/container/id_range_check.h"

#include <fstream>
#include <sstream>
#include <string>

namespace oxydra::runner {

namespace {

bool overlaps(std::uint64_t a, std::uint64_t a_count, std::uint64_t b, std::uint64_t b_count) {
  return a < b + b_count && b < a + a_count;
}

// "name:first:count" lines of /etc/subuid or /etc/subgid.
std::string subid_conflict(const std::filesystem::path& file, std::uint32_t first,
                           std::uint32_t count) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, start, length;
    if (!std::getline(fields, name, ':') || !std::getline(fields, start, ':') ||
        !std::getline(fields, length)) {
      continue;
    }
    try {
      if (overlaps(first, count, std::stoull(start), std::stoull(length)))
        return file.string() + " delegates " + start + "-" +
               std::to_string(std::stoull(start) + std::stoull(length) - 1) + " to " + name;
    } catch (const std::exception&) {
      continue;
    }
  }
  return {};
}

// The third field of /etc/passwd or /etc/group: the id.
std::string account_conflict(const std::filesystem::path& file, std::uint32_t first,
                             std::uint32_t count, const char* kind) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, password, id;
    if (!std::getline(fields, name, ':') || !std::getline(fields, password, ':') ||
        !std::getline(fields, id, ':')) {
      continue;
    }
    try {
      if (overlaps(first, count, std::stoull(id), 1))
        return std::string(kind) + " " + name + " (" + id + ") in " + file.string();
    } catch (const std::exception&) {
      continue;
    }
  }
  return {};
}

}  // namespace

Result<void> check_guest_id_range(std::uint32_t first, std::uint32_t count,
                                  const IdSources& sources) {
  for (const std::string& conflict :
       {subid_conflict(sources.subuid, first, count), subid_conflict(sources.subgid, first, count),
        account_conflict(sources.passwd, first, count, "user"),
        account_conflict(sources.group, first, count, "group")}) {
    if (conflict.empty()) continue;
    return fail(ErrorCode::tier_unavailable, "guest ids " + std::to_string(first) + "-" +
                                                 std::to_string(std::uint64_t{first} + count - 1) +
                                                 " are not free: " + conflict +
                                                 "; a guest must not run as another user's ids");
  }
  return {};
}

}  // namespace oxydra::runner
