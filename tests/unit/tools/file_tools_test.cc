#include "oxydra/tools/file_tools.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "oxydra/tools/registry.h"
#include "temp_workspace.h"

namespace oxydra::tools {
namespace {

namespace fs = std::filesystem;
using testing::TempWorkspace;

class FileTools : public ::testing::TestWithParam<BeneathMethod> {
 protected:
  void SetUp() override {
    if (GetParam() == BeneathMethod::openat2 && !openat2_supported()) {
      GTEST_SKIP() << "openat2 is not available on this kernel";
    }
    TempWorkspace::write(ws_.outside() / "secret.txt", "top secret");
    TempWorkspace::write(ws_.vault() / "keys.txt", "vault data");
    auto roots = FileRoots::open(workspace_roots(ws_.shared(), ws_.tmp(), ws_.vault()), GetParam());
    ASSERT_TRUE(roots) << roots.error().message;
    roots_ = *roots;
    FileToolLimits limits;
    limits.max_read_bytes = 64;
    limits.max_list_entries = 20;
    limits.max_list_depth = 3;
    for (auto& tool : make_file_tools(roots_, limits))
      ASSERT_TRUE(registry_.add(tool));
  }

  ToolOutput call(std::string_view tool, const nlohmann::json& args) {
    return registry_.call(tool, args, {});
  }
  // The output is an error whose text contains `needle`.
  static void expect_error(const ToolOutput& out, std::string_view needle) {
    EXPECT_TRUE(out.is_error) << out.text;
    EXPECT_NE(out.text.find(needle), std::string::npos) << out.text;
  }

  TempWorkspace ws_;
  std::shared_ptr<const FileRoots> roots_;
  Registry registry_;
};

TEST_P(FileTools, WriteCreatesParentsAndReadReturnsTheContent) {
  auto wrote = call("file_write", {{"path", "notes/today/a.txt"}, {"content", "one\ntwo\n"}});
  EXPECT_FALSE(wrote.is_error) << wrote.text;
  EXPECT_EQ(wrote.text, "created shared/notes/today/a.txt (8 bytes)");
  EXPECT_EQ(TempWorkspace::read(ws_.shared() / "notes/today/a.txt"), "one\ntwo\n");

  auto again = call("file_write", {{"path", "notes/today/a.txt"}, {"content", "three\n"}});
  EXPECT_EQ(again.text, "wrote 6 bytes to shared/notes/today/a.txt (replaced 8 bytes)");

  auto read = call("file_read", {{"path", "notes/today/a.txt"}});
  EXPECT_FALSE(read.is_error);
  EXPECT_EQ(read.text, "three\n");

  auto tmp = call("file_write", {{"path", (ws_.tmp() / "x/y.txt").string()}, {"content", "t"}});
  EXPECT_EQ(tmp.text, "created tmp/x/y.txt (1 byte)");
  EXPECT_EQ(call("file_read", {{"path", (ws_.tmp() / "x/y.txt").string()}}).text, "t");
}

TEST_P(FileTools, ReadPagesByLinesAndBytes) {
  TempWorkspace::write(ws_.shared() / "lines.txt", "l1\nl2\nl3\nl4\nl5");
  EXPECT_EQ(call("file_read", {{"path", "lines.txt"}}).text, "l1\nl2\nl3\nl4\nl5");
  EXPECT_EQ(call("file_read", {{"path", "lines.txt"}, {"offset", 1}, {"limit", 2}}).text,
            "l2\nl3\n[showing lines 2-3 of shared/lines.txt; more follows: continue with "
            "offset=3]");
  EXPECT_EQ(call("file_read", {{"path", "lines.txt"}, {"offset", 3}}).text, "l4\nl5");
  EXPECT_EQ(call("file_read", {{"path", "lines.txt"}, {"offset", 9}}).text,
            "[shared/lines.txt has only 4 lines; offset 9 is past the end]");
  EXPECT_EQ(
      call("file_read", {{"path", "lines.txt"}, {"unit", "bytes"}, {"offset", 3}, {"limit", 5}})
          .text,
      "l2\nl3\n[bytes 3-8 of 14 in shared/lines.txt]");
}

TEST_P(FileTools, ReadIsBoundedAndRefusesBinary) {
  std::string big;
  for (int i = 0; i < 20; ++i)
    big += "line " + std::to_string(i) + "\n";
  TempWorkspace::write(ws_.shared() / "big.txt", big);
  auto read = call("file_read", {{"path", "big.txt"}});
  EXPECT_FALSE(read.is_error);
  EXPECT_LE(read.text.find('['), 64u);
  EXPECT_NE(read.text.find("(byte limit reached); more follows: continue with offset="),
            std::string::npos)
      << read.text;

  TempWorkspace::write(ws_.shared() / "long.txt", std::string(100, 'x'));
  auto long_line = call("file_read", {{"path", "long.txt"}});
  EXPECT_EQ(long_line.text, std::string(64, 'x') +
                                "\n[stopped at the 64-byte limit inside line 1; read the rest "
                                "with unit=\"bytes\" offset=64]");

  TempWorkspace::write(ws_.shared() / "blob.bin", std::string("ab\0cd", 5));
  expect_error(call("file_read", {{"path", "blob.bin"}}), "shared/blob.bin looks like a binary");
  expect_error(call("file_read", {{"path", "nothing.txt"}}),
               "file_read: shared/nothing.txt: no such file or directory");
  fs::create_directories(ws_.shared() / "folder");
  expect_error(call("file_read", {{"path", "folder"}}), "shared/folder is a directory");
}

TEST_P(FileTools, EditReplacesExactlyOneMatch) {
  TempWorkspace::write(ws_.shared() / "code.py", "def f():\n    return 1\n\nx = 1\nx = 1\n");
  auto edited =
      call("file_edit",
           {{"path", "code.py"}, {"old_string", "    return 1"}, {"new_string", "    return 2"}});
  EXPECT_FALSE(edited.is_error) << edited.text;
  EXPECT_EQ(edited.text, "replaced 1 occurrence in shared/code.py");
  EXPECT_EQ(TempWorkspace::read(ws_.shared() / "code.py"),
            "def f():\n    return 2\n\nx = 1\nx = 1\n");

  auto absent =
      call("file_edit", {{"path", "code.py"}, {"old_string", "return 3"}, {"new_string", "y"}});
  expect_error(absent, "old_string was not found in shared/code.py");
  EXPECT_EQ(absent.metadata.error_code, "no_match");

  auto ambiguous =
      call("file_edit", {{"path", "code.py"}, {"old_string", "x = 1"}, {"new_string", "x = 2"}});
  expect_error(ambiguous, "old_string occurs 2 times in shared/code.py");
  EXPECT_EQ(ambiguous.metadata.error_code, "ambiguous_match");
  EXPECT_EQ(TempWorkspace::read(ws_.shared() / "code.py"),
            "def f():\n    return 2\n\nx = 1\nx = 1\n");

  auto all = call(
      "file_edit",
      {{"path", "code.py"}, {"old_string", "x = 1\n"}, {"new_string", ""}, {"replace_all", true}});
  EXPECT_EQ(all.text, "replaced 2 occurrences in shared/code.py");
  EXPECT_EQ(TempWorkspace::read(ws_.shared() / "code.py"), "def f():\n    return 2\n\n");

  expect_error(call("file_edit", {{"path", "code.py"}, {"old_string", ""}, {"new_string", "x"}}),
               "argument \"old_string\" must be a non-empty string");
}

TEST_P(FileTools, ListShowsFoldersFilesAndLinks) {
  TempWorkspace::write(ws_.shared() / "a.txt", "abc");
  TempWorkspace::write(ws_.shared() / "sub/b.txt", "b");
  TempWorkspace::write(ws_.shared() / "sub/deeper/c.txt", "c");
  fs::create_symlink("../outside", ws_.shared() / "out_link");

  auto flat = call("file_list", nlohmann::json::object());
  EXPECT_FALSE(flat.is_error) << flat.text;
  EXPECT_EQ(flat.text, "shared/\na.txt  3 bytes\nout_link -> ../outside\nsub/\n");

  auto deep = call("file_list", {{"path", "sub"}, {"recursive", true}});
  EXPECT_EQ(deep.text, "shared/sub/\nb.txt  1 byte\ndeeper/\ndeeper/c.txt  1 byte\n");

  // The walk never follows the link out.
  auto all = call("file_list", {{"recursive", true}});
  EXPECT_EQ(all.text.find("secret"), std::string::npos) << all.text;

  auto vault = call("file_list", {{"path", ws_.vault().string()}});
  EXPECT_EQ(vault.text, "vault/\nkeys.txt  10 bytes\n");
  EXPECT_EQ(call("file_list", {{"path", ws_.tmp().string()}}).text, "tmp/ is empty");
}

TEST_P(FileTools, ListIsBounded) {
  for (int i = 0; i < 30; ++i)
    TempWorkspace::write(ws_.shared() / ("f" + std::to_string(i)), "");
  auto full = call("file_list", nlohmann::json::object());
  EXPECT_NE(full.text.find("[listing stopped at 20 entries"), std::string::npos) << full.text;

  TempWorkspace::write(ws_.tmp() / "1/2/3/4/5/deep.txt", "");
  auto deep = call("file_list", {{"path", ws_.tmp().string()}, {"recursive", true}});
  EXPECT_NE(deep.text.find("1/2/3/\n"), std::string::npos) << deep.text;
  EXPECT_EQ(deep.text.find("1/2/3/4/"), std::string::npos) << deep.text;
  EXPECT_NE(deep.text.find("[folders deeper than 3 levels"), std::string::npos);
}

TEST_P(FileTools, RefusesDotDotEscapes) {
  for (const char* tool : {"file_read", "file_list"}) {
    auto out = call(tool, {{"path", "../outside/secret.txt"}});
    expect_error(out, "\"../outside/secret.txt\" leads above shared/ with \"..\"");
    EXPECT_EQ(out.metadata.error_code, "path_refused");
  }
  expect_error(call("file_write", {{"path", "a/../../outside/x"}, {"content", "x"}}),
               "leads above shared/");
  expect_error(call("file_read", {{"path", (ws_.tmp() / "../outside/secret.txt").string()}}),
               "leads above tmp/");
  EXPECT_FALSE(fs::exists(ws_.outside() / "x"));
}

TEST_P(FileTools, RefusesAbsolutePathsOutside) {
  auto out = call("file_read", {{"path", (ws_.outside() / "secret.txt").string()}});
  expect_error(out, "is outside the allowed folders: shared/ (" + ws_.shared().string() + ")");
  EXPECT_EQ(out.text.find("top secret"), std::string::npos);
  expect_error(call("file_read", {{"path", "/etc/passwd"}}), "is outside the allowed folders");
  expect_error(call("file_write", {{"path", "/tmp/oxydra-escape.txt"}, {"content", "x"}}),
               "is outside the allowed folders");
  // A sibling that merely shares the prefix is not inside.
  fs::create_directories(ws_.root() / "shared2");
  expect_error(call("file_list", {{"path", (ws_.root() / "shared2").string()}}),
               "is outside the allowed folders");
}

TEST_P(FileTools, RefusesSymlinksPointingOut) {
  fs::create_symlink(ws_.outside() / "secret.txt", ws_.shared() / "file_link");
  fs::create_symlink("../outside", ws_.shared() / "dir_link");
  fs::create_directories(ws_.shared() / "a");
  fs::create_symlink("../../outside", ws_.shared() / "a/mid");
  fs::create_symlink("../outside/new.txt", ws_.shared() / "dangling");

  const std::string refused = "leads outside shared/";
  expect_error(call("file_read", {{"path", "file_link"}}), "shared/file_link: a symbolic link");
  expect_error(call("file_read", {{"path", "dir_link/secret.txt"}}), refused);
  expect_error(call("file_list", {{"path", "dir_link"}}), refused);
  expect_error(call("file_read", {{"path", "a/mid/secret.txt"}}), refused);
  expect_error(call("file_write", {{"path", "a/mid/planted.txt"}, {"content", "x"}}), refused);
  expect_error(call("file_write", {{"path", "dir_link/sub/planted.txt"}, {"content", "x"}}),
               refused);
  expect_error(call("file_write", {{"path", "file_link"}, {"content", "pwned"}}), refused);
  expect_error(call("file_write", {{"path", "dangling"}, {"content", "x"}}), refused);
  expect_error(
      call("file_edit", {{"path", "file_link"}, {"old_string", "top"}, {"new_string", "no"}}),
      refused);

  EXPECT_EQ(TempWorkspace::read(ws_.outside() / "secret.txt"), "top secret");
  EXPECT_FALSE(fs::exists(ws_.outside() / "planted.txt"));
  EXPECT_FALSE(fs::exists(ws_.outside() / "sub"));
  EXPECT_FALSE(fs::exists(ws_.outside() / "new.txt"));

  // Links that stay inside still work.
  TempWorkspace::write(ws_.shared() / "real.txt", "real");
  fs::create_symlink("real.txt", ws_.shared() / "inner_link");
  EXPECT_EQ(call("file_read", {{"path", "inner_link"}}).text, "real");
}

TEST_P(FileTools, VaultIsReadOnly) {
  const std::string keys = (ws_.vault() / "keys.txt").string();
  EXPECT_EQ(call("file_read", {{"path", keys}}).text, "vault data");
  auto write = call("file_write", {{"path", keys}, {"content", "x"}});
  expect_error(write, "file_write: vault/keys.txt: vault/ is read-only");
  EXPECT_EQ(write.metadata.error_code, "path_refused");
  expect_error(call("file_write", {{"path", (ws_.vault() / "new.txt").string()}, {"content", ""}}),
               "vault/ is read-only");
  expect_error(call("file_edit", {{"path", keys}, {"old_string", "vault"}, {"new_string", "v"}}),
               "vault/ is read-only");
  EXPECT_EQ(TempWorkspace::read(ws_.vault() / "keys.txt"), "vault data");
  EXPECT_FALSE(fs::exists(ws_.vault() / "new.txt"));
}

TEST_P(FileTools, InvalidArgumentsAreToolErrors) {
  auto missing = call("file_write", {{"path", "a.txt"}});
  expect_error(missing, "file_write: missing required argument \"content\" (a string)");
  EXPECT_EQ(missing.metadata.error_code, "invalid_arguments");
  expect_error(call("file_read", {{"path", 7}}), "argument \"path\" must be a non-empty string");
  expect_error(call("file_read", {{"path", "a"}, {"offset", -1}}),
               "argument \"offset\" must be an integer >= 0");
  expect_error(call("file_list", {{"recursive", "yes"}}),
               "argument \"recursive\" must be true or false");
  expect_error(call("file_read", {{"path", std::string("a\0b", 3)}}), "NUL byte");
}

TEST_P(FileTools, SafetyTiersAndDescriptions) {
  EXPECT_EQ(registry_.find("file_read")->tier(), SafetyTier::read_only);
  EXPECT_EQ(registry_.find("file_list")->tier(), SafetyTier::read_only);
  EXPECT_EQ(registry_.find("file_write")->tier(), SafetyTier::side_effecting);
  EXPECT_EQ(registry_.find("file_edit")->tier(), SafetyTier::side_effecting);
  EXPECT_NE(registry_.find("file_read")->description().find("vault/ = " + ws_.vault().string()),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Methods, FileTools,
                         ::testing::Values(BeneathMethod::openat2, BeneathMethod::walk),
                         testing::method_name);

}  // namespace
}  // namespace oxydra::tools
