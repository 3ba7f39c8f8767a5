#include <fcntl.h>

#include "file_io.h"
#include "oxydra/tools/file_tools.h"

namespace oxydra::tools {

namespace {

constexpr std::string_view kFileEditName = "file_edit";

std::uint64_t count_occurrences(std::string_view text, std::string_view needle) {
  std::uint64_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::string replace(std::string_view text, std::string_view from, std::string_view to, bool all) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t at = text.find(from); at != std::string_view::npos;
       at = text.find(from, start)) {
    out.append(text.substr(start, at - start));
    out.append(to);
    start = at + from.size();
    if (!all) break;
  }
  out.append(text.substr(start));
  return out;
}

class FileEdit final : public Tool {
 public:
  FileEdit(std::shared_ptr<const FileRoots> roots, FileToolLimits limits)
      : Tool(std::string(kFileEditName),
             "Replace an exact piece of text in a file. old_string must match the file's text "
             "exactly (including whitespace and indentation) and occur exactly once, unless "
             "replace_all is true. Allowed folders:\n" +
                 roots->summary(),
             ArgSchema({
                 {.name = "path",
                  .type = ArgType::string,
                  .description = "File to edit, relative to shared/ or an absolute path inside "
                                 "a writable allowed folder",
                  .required = true,
                  .non_empty = true},
                 {.name = "old_string",
                  .type = ArgType::string,
                  .description = "The exact text to replace",
                  .required = true,
                  .non_empty = true},
                 {.name = "new_string",
                  .type = ArgType::string,
                  .description = "The text to put in its place (may be empty)",
                  .required = true},
                 {.name = "replace_all",
                  .type = ArgType::boolean,
                  .description = "Replace every occurrence instead of requiring exactly one; "
                                 "default false"},
             }),
             SafetyTier::side_effecting),
        roots_(std::move(roots)),
        limits_(limits) {}

 protected:
  Result<ToolOutput> run(const nlohmann::json& args, const ToolContext&) override {
    const auto& old_string = args["old_string"].get_ref<const std::string&>();
    const auto& new_string = args["new_string"].get_ref<const std::string&>();
    const bool all = args.value("replace_all", false);
    if (old_string == new_string) {
      return ToolOutput::failure(tool_error::kInvalidArguments,
                                 std::string(kFileEditName) +
                                     ": old_string and new_string are the same; nothing to change");
    }
    auto at = roots_->locate(args["path"].get<std::string>(), Access::write);
    if (!at) return file_failure(kFileEditName, at.error());
    auto fd = roots_->open(*at, O_RDWR | O_NONBLOCK | O_NOCTTY);
    if (!fd) return file_failure(kFileEditName, fd.error());
    auto st = regular_file(fd->get(), *at);
    if (!st) return file_failure(kFileEditName, st.error());
    const auto size = static_cast<std::uint64_t>(st->st_size);
    if (size > limits_.max_edit_file_bytes) {
      return file_failure(kFileEditName,
                          Error{ErrorCode::file_too_large,
                                at->display + " is " + plural(size, "byte", "bytes") +
                                    "; file_edit handles files up to " +
                                    std::to_string(limits_.max_edit_file_bytes) + " bytes"});
    }
    auto text = read_up_to(fd->get(), limits_.max_edit_file_bytes, *at);
    if (!text) return file_failure(kFileEditName, text.error());

    const std::uint64_t found = count_occurrences(*text, old_string);
    if (found == 0) {
      return ToolOutput::failure(
          "no_match", std::string(kFileEditName) + ": old_string was not found in " + at->display +
                          "; read the file and copy the exact text, including whitespace");
    }
    if (found > 1 && !all) {
      return ToolOutput::failure("ambiguous_match",
                                 std::string(kFileEditName) + ": old_string occurs " +
                                     std::to_string(found) + " times in " + at->display +
                                     "; include more surrounding text to make it unique, or set "
                                     "replace_all to true");
    }
    const std::string edited = replace(*text, old_string, new_string, all);
    if (auto written = replace_contents(fd->get(), edited, *at); !written) {
      return file_failure(kFileEditName, written.error());
    }
    const std::uint64_t replaced = all ? found : 1;
    return ToolOutput::success("replaced " + plural(replaced, "occurrence", "occurrences") +
                               " in " + at->display);
  }

 private:
  std::shared_ptr<const FileRoots> roots_;
  FileToolLimits limits_;
};

}  // namespace

std::shared_ptr<Tool> make_file_edit_tool(std::shared_ptr<const FileRoots> roots,
                                          FileToolLimits limits) {
  return std::make_shared<FileEdit>(std::move(roots), limits);
}

}  // namespace oxydra::tools
