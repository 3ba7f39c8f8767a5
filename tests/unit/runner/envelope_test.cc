#include <gtest/gtest.h>

#include "daemon/envelope_builder.h"

namespace oxydra::runner {
namespace {

UserContext process_context() {
  UserContext context;
  context.selection.user_id = "alice";
  auto& policy = context.policy;
  policy.user_id = "alice";
  policy.tier = SandboxTier::process;
  policy.layout = workspace_layout("/srv/ws", "alice");
  policy.shared = policy.layout.shared;
  policy.tmp = policy.layout.tmp;
  policy.vault = "/data/alice-vault";
  policy.shell = ToolGrant{false, "insecure_process_tier"};
  policy.browser = ToolGrant{false, "insecure_process_tier"};
  context.agent.provider = "openai";
  context.agent.providers["openai"].base_url = "https://api.openai.com/v1";
  context.agent.providers["openai"].model = "gpt";
  context.agent.providers["openai"].credential = "openai";
  return context;
}

TEST(Envelope, ProcessTierEnvelopeIsValidAndCarriesTheMeasuredReport) {
  auto context = process_context();
  ResolvedCredentials credentials;
  credentials.values = {{"openai", "sk-1"}};
  credentials.refs = {{"openai", "env:OPENAI_API_KEY"}, {"other", "env:OTHER"}};
  PairState pair;
  pair.tier_degraded = {{"insecure_process_tier", "no shell-vm"}};
  pair.runtime_degraded = {{"process_hardening_limited", "RLIMIT_NPROC"}};
  EnforcementReport report;
  report.no_new_privs = true;
  pair.enforcement.runtime = report;

  const auto status = startup_status(context.policy, pair);
  EXPECT_FALSE(status.shell_available);
  EXPECT_FALSE(status.sidecar_available);
  ASSERT_EQ(status.degraded_reasons.size(), 2u);
  EXPECT_EQ(status.degraded_reasons[0].code, "insecure_process_tier");

  const auto envelope = build_envelope(context, credentials, status, std::nullopt);
  EXPECT_TRUE(validate_bootstrap_envelope(envelope))
      << validate_bootstrap_envelope(envelope).error().message;
  EXPECT_EQ(envelope.sandbox_tier, SandboxTier::process);
  EXPECT_EQ(envelope.workspace_root, "/srv/ws/alice");
  EXPECT_EQ(envelope.gateway.address, "/srv/ws/alice/ipc/gateway/gateway.sock");
  EXPECT_EQ(envelope.runtime_policy.mounts.vault, "/data/alice-vault");
  EXPECT_EQ(envelope.runtime_policy.resources.max_processes, 256u);
  EXPECT_EQ(envelope.credentials, credentials.values);
  EXPECT_EQ(envelope.runtime_policy.credential_refs.size(), 2u);
  EXPECT_EQ(envelope.startup_status.enforcement.runtime->no_new_privs, true);
  EXPECT_EQ(envelope.agent_config["provider"], "openai");
  EXPECT_FALSE(envelope.sidecar_endpoint);
}

}  // namespace
}  // namespace oxydra::runner
