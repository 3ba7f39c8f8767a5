#include <fcntl.h>

#include <cerrno>

#include "file_io.h"
#include "oxydra/tools/file_tools.h"

namespace oxydra::tools {

namespace {

constexpr std::string_view kFileWriteName = "file_write";

class FileWrite final : public Tool {
 public:
  FileWrite(std::shared_ptr<const FileRoots> roots, FileToolLimits limits)
      : Tool(std::string(kFileWriteName),
             "Create or overwrite a text file with the given content. Missing parent folders "
             "are created. Allowed folders:\n" +
                 roots->summary(),
             ArgSchema({
                 {.name = "path",
                  .type = ArgType::string,
                  .description = "File to write, relative to shared/ or an absolute path inside "
                                 "a writable allowed folder",
                  .required = true,
                  .non_empty = true},
                 {.name = "content",
                  .type = ArgType::string,
                  .description = "The complete new content of the file",
                  .required = true},
             }),
             SafetyTier::side_effecting),
        roots_(std::move(roots)),
        limits_(limits) {}

 protected:
  Result<ToolOutput> run(const nlohmann::json& args, const ToolContext&) override {
    const auto& content = args["content"].get_ref<const std::string&>();
    if (content.size() > limits_.max_write_bytes) {
      return ToolOutput::failure(tool_error::kInvalidArguments,
                                 std::string(kFileWriteName) + ": content is " +
                                     plural(content.size(), "byte", "bytes") + "; the limit is " +
                                     std::to_string(limits_.max_write_bytes));
    }
    auto at = roots_->locate(args["path"].get<std::string>(), Access::write);
    if (!at) return file_failure(kFileWriteName, at.error());
    if (at->relative.empty()) {
      return file_failure(kFileWriteName,
                          Error{ErrorCode::is_directory, at->display + " is a folder, not a file"});
    }
    if (auto made = roots_->create_parents(*at); !made)
      return file_failure(kFileWriteName, made.error());

    // O_NONBLOCK: a FIFO planted at the path must not hang the agent.
    constexpr int kFlags = O_WRONLY | O_NONBLOCK | O_NOCTTY;
    bool created = true;
    auto fd = roots_->open(*at, kFlags | O_CREAT | O_EXCL, 0644);
    if (!fd && fd.error().code == ErrorCode::already_exists) {
      created = false;
      fd = roots_->open(*at, kFlags);
    }
    if (!fd) return file_failure(kFileWriteName, fd.error());
    auto st = regular_file(fd->get(), *at);
    if (!st) return file_failure(kFileWriteName, st.error());
    if (auto written = replace_contents(fd->get(), content, *at); !written) {
      return file_failure(kFileWriteName, written.error());
    }
    const std::string size = plural(content.size(), "byte", "bytes");
    if (created) return ToolOutput::success("created " + at->display + " (" + size + ")");
    return ToolOutput::success("wrote " + size + " to " + at->display + " (replaced " +
                               plural(static_cast<std::uint64_t>(st->st_size), "byte", "bytes") +
                               ")");
  }

 private:
  std::shared_ptr<const FileRoots> roots_;
  FileToolLimits limits_;
};

}  // namespace

std::shared_ptr<Tool> make_file_write_tool(std::shared_ptr<const FileRoots> roots,
                                           FileToolLimits limits) {
  return std::make_shared<FileWrite>(std::move(roots), limits);
}

}  // namespace oxydra::tools
