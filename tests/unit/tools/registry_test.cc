#include "oxydra/tools/registry.h"

#include <gtest/gtest.h>

#include <stop_token>

#include "oxydra/tools/shell_tool.h"

namespace oxydra::tools {
namespace {

// Echoes its argument; counts runs so tests can see it did not run.
class EchoTool final : public Tool {
 public:
  explicit EchoTool(Availability availability = Availability::ok())
      : Tool("echo", "Echo text back",
             ArgSchema({{.name = "text",
                         .type = ArgType::string,
                         .description = "what to echo",
                         .required = true,
                         .non_empty = true}}),
             SafetyTier::read_only),
        availability_(std::move(availability)) {}

  Availability availability() const override { return availability_; }
  int runs = 0;

 protected:
  Result<ToolOutput> run(const nlohmann::json& args, const ToolContext&) override {
    ++runs;
    if (args["text"] == "boom") return fail(ErrorCode::connection_lost, "the sidecar went away");
    if (args["text"] == "throw") throw std::runtime_error("bug");
    return ToolOutput::success(args["text"].get<std::string>() + "\xff");
  }

 private:
  Availability availability_;
};

TEST(Registry, RunsAToolAndMeasuresIt) {
  Registry registry;
  auto echo = std::make_shared<EchoTool>();
  ASSERT_TRUE(registry.add(echo));
  auto out = registry.call("echo", {{"text", "hi"}}, {});
  EXPECT_FALSE(out.is_error);
  EXPECT_EQ(out.text, "hi\xEF\xBF\xBD");  // invalid UTF-8 replaced
  EXPECT_EQ(out.metadata.output_bytes, out.text.size());
  EXPECT_EQ(echo->runs, 1);
}

TEST(Registry, InvalidArgumentsComeBackAsAToolError) {
  Registry registry;
  auto echo = std::make_shared<EchoTool>();
  ASSERT_TRUE(registry.add(echo));
  auto out = registry.call("echo", {{"text", ""}}, {});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.text, "echo: argument \"text\" must be a non-empty string");
  EXPECT_EQ(out.metadata.error_code, "invalid_arguments");

  auto bad_json = registry.call_text("echo", "{\"text\": ", {});
  EXPECT_TRUE(bad_json.is_error);
  EXPECT_EQ(bad_json.text, "echo: arguments are not valid JSON; send one JSON object");

  auto not_object = registry.call_text("echo", "[1]", {});
  EXPECT_TRUE(not_object.is_error);
  EXPECT_NE(not_object.text.find("must be a JSON object"), std::string::npos);

  auto blank = registry.call_text("echo", "", {});
  EXPECT_TRUE(blank.is_error);
  EXPECT_NE(blank.text.find("missing required argument \"text\""), std::string::npos);
  EXPECT_EQ(echo->runs, 0);
}

TEST(Registry, DisabledToolAnswersWithItsReason) {
  Registry registry;
  auto echo = std::make_shared<EchoTool>(
      Availability::disabled("sidecar_unavailable", "no shell daemon is configured"));
  ASSERT_TRUE(registry.add(echo));
  auto out = registry.call("echo", {{"text", "hi"}}, {});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.text, "echo is disabled (sidecar_unavailable): no shell daemon is configured");
  EXPECT_EQ(out.metadata.error_code, "tool_disabled");
  EXPECT_EQ(echo->runs, 0);

  EXPECT_TRUE(registry.definitions().empty());
  EXPECT_EQ(registry.definitions(true).size(), 1u);
  const auto status = registry.status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0]["enabled"], false);
  EXPECT_EQ(status[0]["reason"], "sidecar_unavailable");
  EXPECT_EQ(status[0]["tier"], "read_only");
}

TEST(Registry, DisabledShellExecReportsInsecureProcessTier) {
  Registry registry;
  ASSERT_TRUE(registry.add(make_disabled_shell_exec_tool("insecure_process_tier",
                                                         "the process tier has no shell sandbox")));
  auto out = registry.call("shell_exec", {{"command", "id"}}, {});
  EXPECT_TRUE(out.is_error);
  EXPECT_EQ(out.text,
            "shell_exec is disabled (insecure_process_tier): the process tier has no shell "
            "sandbox");
  // Disabled wins over argument problems: the model learns the tool is off.
  auto no_args = registry.call("shell_exec", nlohmann::json::object(), {});
  EXPECT_EQ(no_args.metadata.error_code, "tool_disabled");
}

TEST(Registry, UnknownToolsDuplicatesErrorsAndCancellation) {
  Registry registry;
  auto echo = std::make_shared<EchoTool>();
  ASSERT_TRUE(registry.add(echo));
  EXPECT_FALSE(registry.add(std::make_shared<EchoTool>()));

  auto unknown = registry.call("nope", nlohmann::json::object(), {});
  EXPECT_TRUE(unknown.is_error);
  EXPECT_EQ(unknown.text, "unknown tool \"nope\"; available tools: echo");

  auto failed = registry.call("echo", {{"text", "boom"}}, {});
  EXPECT_TRUE(failed.is_error);
  EXPECT_EQ(failed.text, "echo failed: the sidecar went away");

  auto thrown = registry.call("echo", {{"text", "throw"}}, {});
  EXPECT_TRUE(thrown.is_error);
  EXPECT_EQ(thrown.text, "echo failed: echo: bug");

  std::stop_source stop;
  stop.request_stop();
  ToolContext ctx;
  ctx.stop = stop.get_token();
  auto cancelled = registry.call("echo", {{"text", "hi"}}, ctx);
  EXPECT_TRUE(cancelled.is_error);
  EXPECT_EQ(cancelled.metadata.error_code, "cancelled");
  EXPECT_EQ(echo->runs, 2);
}

TEST(Registry, DefinitionsCarryTheSchema) {
  Registry registry;
  ASSERT_TRUE(registry.add(std::make_shared<EchoTool>()));
  const auto defs = registry.definitions();
  ASSERT_EQ(defs.size(), 1u);
  EXPECT_EQ(defs[0]["name"], "echo");
  EXPECT_EQ(defs[0]["description"], "Echo text back");
  EXPECT_EQ(defs[0]["parameters"]["required"], nlohmann::json::array({"text"}));
}

}  // namespace
}  // namespace oxydra::tools
