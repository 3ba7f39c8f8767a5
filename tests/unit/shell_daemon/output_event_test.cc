#include "output_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace oxydra::shell_daemon {
namespace {

using namespace std::string_literals;

TEST(OutputEvent, EscapesControlCharactersQuotesAndBackslashes) {
  std::string out;
  append_json_escaped(out, "a\"b\\c\n\t\x01\0z"s);
  EXPECT_EQ(out, R"(a\"b\\c\n\t\u0001\u0000z)");
  EXPECT_EQ(json_escaped_size("a\"b\\c\n\t\x01\0z"s), out.size());
}

TEST(OutputEvent, IsOneFramedJsonMessage) {
  OutFrame out = encode_output_event("\"r-1\"", StreamKind::err, "h\xC3\xA9\n", 42);
  std::string frame(out.data(), out.size());
  const std::size_t n =
      (static_cast<unsigned char>(frame[0]) << 24) | (static_cast<unsigned char>(frame[1]) << 16) |
      (static_cast<unsigned char>(frame[2]) << 8) | static_cast<unsigned char>(frame[3]);
  ASSERT_EQ(n, frame.size() - 4);
  auto doc = nlohmann::json::parse(frame.substr(4));
  EXPECT_EQ(doc["op"], "output");
  EXPECT_EQ(doc["payload"]["request_id"], "r-1");
  EXPECT_EQ(doc["payload"]["stream"], "stderr");
  EXPECT_EQ(doc["payload"]["data"], "h\xC3\xA9\n");
  EXPECT_EQ(doc["payload"]["offset"], 42);
}

}  // namespace
}  // namespace oxydra::shell_daemon
