#pragma once

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "oxydra/types/message.h"

namespace oxydra::testing {

// Sends `value` through the whole wire path (to_json, message shape, text,
// parse_message, parse) and expects the same value back. A second pass adds
// fields this build does not know, which every parser must ignore.
template <typename T, typename Parse>
void expect_round_trip(const T& value, Parse parse, std::string_view op = "test_op") {
  const nlohmann::json wire = to_json(value);
  ASSERT_TRUE(wire.is_object());

  auto message = parse_message(serialize_message(op, wire));
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(message->op, op);
  auto parsed = parse(message->payload);
  ASSERT_TRUE(parsed) << parsed.error().message << "\n" << wire.dump();
  EXPECT_TRUE(*parsed == value) << wire.dump();
  EXPECT_EQ(to_json(*parsed), wire);

  nlohmann::json extended = wire;
  extended["x_future_field"] = {{"nested", true}};
  extended["x_future_list"] = nlohmann::json::array({1, 2});
  auto tolerant = parse(extended);
  ASSERT_TRUE(tolerant) << tolerant.error().message;
  EXPECT_TRUE(*tolerant == value);
}

// Expects `parse(payload)` to fail with `code` and a message containing `needle`.
template <typename Parse>
void expect_parse_error(Parse parse, const nlohmann::json& payload, ErrorCode code,
                        std::string_view needle) {
  auto parsed = parse(payload);
  ASSERT_FALSE(parsed) << "accepted: " << payload.dump();
  EXPECT_EQ(parsed.error().code, code);
  EXPECT_NE(parsed.error().message.find(needle), std::string::npos)
      << "message: " << parsed.error().message << "\nwanted: " << needle;
}

}  // namespace oxydra::testing
