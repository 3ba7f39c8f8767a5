#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "oxydra/tools/file_roots.h"
#include "oxydra/tools/tool.h"

namespace oxydra::tools {

struct FileToolLimits {
  std::uint64_t max_read_bytes = 256u << 10;     // returned by one file_read
  std::uint64_t max_write_bytes = 4u << 20;      // file_write content
  std::uint64_t max_edit_file_bytes = 4u << 20;  // files file_edit will load
  std::uint64_t max_list_entries = 1000;         // lines of one file_list
  std::uint64_t max_list_depth = 8;              // recursive file_list
};

// Each tool is confined to `roots` (see FileRoots). Path and I/O problems come
// back as is_error outputs naming the path relative to its root.
std::shared_ptr<Tool> make_file_read_tool(std::shared_ptr<const FileRoots> roots,
                                          FileToolLimits limits = {});
std::shared_ptr<Tool> make_file_write_tool(std::shared_ptr<const FileRoots> roots,
                                           FileToolLimits limits = {});
std::shared_ptr<Tool> make_file_edit_tool(std::shared_ptr<const FileRoots> roots,
                                          FileToolLimits limits = {});
std::shared_ptr<Tool> make_file_list_tool(std::shared_ptr<const FileRoots> roots,
                                          FileToolLimits limits = {});

// file_read, file_write, file_edit, file_list.
std::vector<std::shared_ptr<Tool>> make_file_tools(const std::shared_ptr<const FileRoots>& roots,
                                                   FileToolLimits limits = {});

}  // namespace oxydra::tools
