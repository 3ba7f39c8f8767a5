#include "oxydra/tools/arg_schema.h"

#include <gtest/gtest.h>

namespace oxydra::tools {
namespace {

ArgSchema shell_like() {
  return ArgSchema({
      {.name = "command",
       .type = ArgType::string,
       .description = "cmd",
       .required = true,
       .non_empty = true},
      {.name = "timeout_secs",
       .type = ArgType::integer,
       .description = "t",
       .minimum = 1,
       .maximum = 600},
      {.name = "verbose", .type = ArgType::boolean, .description = "v"},
      {.name = "unit", .type = ArgType::string, .description = "u", .allowed = {"lines", "bytes"}},
  });
}

TEST(ArgSchema, JsonSchemaDescribesEveryField) {
  const auto schema = shell_like().json_schema();
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_EQ(schema["required"], nlohmann::json::array({"command"}));
  EXPECT_EQ(schema["properties"]["command"]["type"], "string");
  EXPECT_EQ(schema["properties"]["command"]["minLength"], 1);
  EXPECT_EQ(schema["properties"]["timeout_secs"]["type"], "integer");
  EXPECT_EQ(schema["properties"]["timeout_secs"]["maximum"], 600);
  EXPECT_EQ(schema["properties"]["verbose"]["type"], "boolean");
  EXPECT_EQ(schema["properties"]["unit"]["enum"], nlohmann::json::array({"lines", "bytes"}));
}

TEST(ArgSchema, AcceptsValidArgumentsAndNormalises) {
  auto ok = shell_like().validate(
      {{"command", "ls"}, {"timeout_secs", 30.0}, {"verbose", nullptr}, {"unit", "bytes"}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)["timeout_secs"], 30);
  EXPECT_TRUE((*ok)["timeout_secs"].is_number_integer());
  EXPECT_FALSE(ok->contains("verbose"));  // null counts as absent
}

TEST(ArgSchema, NamesEachProblemForTheModel) {
  auto empty = shell_like().validate({{"command", "  "}});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_arguments);
  EXPECT_EQ(empty.error().message, "argument \"command\" must be a non-empty string");

  auto missing = shell_like().validate(nlohmann::json::object());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "missing required argument \"command\" (a non-empty string)");

  auto several = shell_like().validate(
      {{"command", 5}, {"timeout_secs", 0}, {"verbose", "yes"}, {"unit", "pages"}, {"x", 1}});
  ASSERT_FALSE(several);
  const std::string& m = several.error().message;
  EXPECT_NE(m.find("unknown argument \"x\" (accepted arguments: command, timeout_secs, verbose, "
                   "unit)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("argument \"command\" must be a non-empty string"), std::string::npos);
  EXPECT_NE(m.find("argument \"timeout_secs\" must be an integer from 1 to 600"),
            std::string::npos);
  EXPECT_NE(m.find("argument \"verbose\" must be true or false"), std::string::npos);
  EXPECT_NE(m.find("argument \"unit\" must be one of \"lines\", \"bytes\""), std::string::npos);
}

TEST(ArgSchema, RefusesNonIntegralAndNonObjectArguments) {
  auto fraction = shell_like().validate({{"command", "ls"}, {"timeout_secs", 1.5}});
  ASSERT_FALSE(fraction);
  EXPECT_NE(fraction.error().message.find("timeout_secs"), std::string::npos);

  auto array = shell_like().validate(nlohmann::json::array({"ls"}));
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().message,
            "arguments must be a JSON object with the fields: command, timeout_secs, verbose, "
            "unit");
}

}  // namespace
}  // namespace oxydra::tools
