#include "oxydra/types/envelope.h"

#include <gtest/gtest.h>

#include "envelope_fixture.h"
#include "round_trip.h"

namespace oxydra {
namespace {

using nlohmann::json;
using testing::kSecret;
using testing::valid_envelope;

TEST(BootstrapEnvelope, ParsesEveryField) {
  auto parsed = parse_bootstrap_envelope(valid_envelope());
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BootstrapEnvelope& e = *parsed;
  EXPECT_EQ(e.user_id, "alice");
  EXPECT_EQ(e.sandbox_tier, SandboxTier::container);
  EXPECT_EQ(e.workspace_root, "/workspace");
  ASSERT_TRUE(e.sidecar_endpoint);
  EXPECT_EQ(e.sidecar_endpoint->transport, ChannelTransport::unix_socket);
  EXPECT_EQ(e.runtime_policy.mounts.vault, "/srv/alice/vault");
  EXPECT_EQ(e.runtime_policy.resources.max_memory_mib, 1024u);
  EXPECT_EQ(e.runtime_policy.credential_refs.at("openai"), "env:OPENAI_API_KEY");
  EXPECT_EQ(e.credentials.at("openai"), kSecret);
  EXPECT_EQ(e.agent_config["runtime"]["max_turns"], 8);
  EXPECT_EQ(e.gateway.address, "/workspace/ipc/gateway.sock");
  EXPECT_TRUE(e.startup_status.shell_available);
  ASSERT_TRUE(e.startup_status.enforcement.sidecar);
  EXPECT_EQ(e.startup_status.enforcement.sidecar->network, "none");
}

TEST(BootstrapEnvelope, RoundTrips) {
  auto parsed = parse_bootstrap_envelope(valid_envelope());
  ASSERT_TRUE(parsed);
  testing::expect_round_trip(*parsed, parse_bootstrap_envelope, "bootstrap");

  BootstrapEnvelope minimal;
  minimal.user_id = "bob";
  minimal.workspace_root = "/w";
  minimal.gateway = {ChannelTransport::unix_socket, "/w/ipc/gateway.sock"};
  testing::expect_round_trip(minimal, parse_bootstrap_envelope, "bootstrap");
  EXPECT_FALSE(to_json(minimal).contains("sidecar_endpoint"));
}

TEST(BootstrapEnvelope, ValidatesEnvelopesBuiltInCode) {
  BootstrapEnvelope e;
  e.user_id = "bob";
  e.workspace_root = "/w";
  e.gateway = {ChannelTransport::unix_socket, "/w/ipc/gateway.sock"};
  EXPECT_TRUE(validate_bootstrap_envelope(e));
  e.startup_status.shell_available = true;
  auto invalid = validate_bootstrap_envelope(e);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().message,
            "startup_status.shell_available: true without a sidecar_endpoint");
}

TEST(BootstrapEnvelope, TransportNamesRoundTrip) {
  for (auto t : {ChannelTransport::unix_socket, ChannelTransport::vsock,
                 ChannelTransport::firecracker_vsock, ChannelTransport::virtio_serial}) {
    EXPECT_EQ(parse_channel_transport(to_string(t)), t);
  }
  EXPECT_EQ(to_string(ChannelTransport::unix_socket), "unix");
  EXPECT_FALSE(parse_channel_transport("tcp"));
}

TEST(BootstrapEnvelope, RedactedJsonNeverContainsTheSecret) {
  json j = valid_envelope();
  j["credentials"]["anthropic"] = std::string("ak-") + kSecret;
  auto parsed = parse_bootstrap_envelope(j);
  ASSERT_TRUE(parsed);
  const json redacted = redacted_json(*parsed);
  const std::string text = redacted.dump();
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  EXPECT_EQ(redacted["credentials"]["openai"], kRedacted);
  EXPECT_EQ(redacted["credentials"]["anthropic"], kRedacted);
  EXPECT_EQ(redacted["runtime_policy"]["credential_refs"]["openai"], "env:OPENAI_API_KEY");
  EXPECT_EQ(redacted["user_id"], "alice");
  // The envelope itself is untouched, and the wire form does carry the secret.
  EXPECT_EQ(parsed->credentials.at("openai"), kSecret);
  EXPECT_NE(to_json(*parsed).dump().find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace oxydra
