#include "oxydra/types/workspace_layout.h"

#include <algorithm>
#include <vector>

namespace oxydra {

WorkspaceLayout workspace_layout(const std::filesystem::path& workspace_root,
                                 std::string_view user_id) {
  WorkspaceLayout layout;
  layout.root = workspace_root / std::filesystem::path(user_id);
  layout.shared = layout.root / "shared";
  layout.tmp = layout.root / "tmp";
  layout.vault = layout.root / "vault";
  layout.ipc = layout.root / "ipc";
  layout.control = layout.root / "control";
  layout.logs = layout.root / "logs";
  layout.internal = layout.root / "internal";
  return layout;
}

namespace {

std::vector<std::filesystem::path> components(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> out;
  for (const auto& part : path.lexically_normal()) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace

bool path_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const auto inner = components(path);
  const auto outer = components(dir);
  if (outer.size() > inner.size()) return false;
  return std::equal(outer.begin(), outer.end(), inner.begin());
}

}  // namespace oxydra
