#pragma once

#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "fake_provider.h"
#include "oxydra/gateway/server.h"
#include "oxydra/gateway_client/client.h"
#include "oxydra/testlib/eventually.h"
#include "oxydra/testlib/temp_dir.h"
#include "oxydra/tools/shell_tool.h"
#include "probe_tools.h"

namespace oxydra::gateway::testing {

// An in-process gateway server over a FakeProvider, a disabled shell and a
// probe tool, serving on a socket in a temporary directory.
struct ServerFixture : ::testing::Test {
  testlib::TempDir dir{"oxy-gw"};
  std::shared_ptr<runtime::testing::FakeProvider> provider =
      std::make_shared<runtime::testing::FakeProvider>();
  std::shared_ptr<runtime::testing::ProbeLog> log = std::make_shared<runtime::testing::ProbeLog>();
  std::string socket = dir.file("ipc/gw.sock");
  std::unique_ptr<Server> server;
  std::thread thread;
  int exit_code = -1;

  void start(bool with_memory = true) {
    AgentSetup setup;
    setup.user_id = "tester";
    setup.config.provider = "fake";
    ProviderConfig p;
    p.base_url = "http://127.0.0.1:1/v1";
    p.model = "fake-model";
    setup.config.providers["fake"] = p;
    setup.workspace = dir.path();
    setup.gateway_socket = socket;
    setup.startup_status.sandbox_tier = SandboxTier::process;
    setup.startup_status.degraded_reasons.push_back(
        {"insecure_process_tier", "no shell on the process tier"});
    setup.provider = provider;
    setup.tools = std::make_shared<tools::Registry>();
    ASSERT_TRUE(setup.tools->add(tools::make_disabled_shell_exec_tool(
        "insecure_process_tier", "no shell on the process tier")));
    ASSERT_TRUE(setup.tools->add(std::make_shared<runtime::testing::ProbeTool>(
        "probe", tools::SafetyTier::side_effecting, log)));
    if (with_memory) {
      auto store = memory::Store::open(dir.file("memory.db"));
      ASSERT_TRUE(store) << store.error().message;
      setup.store = std::make_shared<memory::Store>(std::move(*store));
    }
    ServerOptions options;
    options.handle_signals = false;
    auto listening = Server::listen(std::move(setup), options);
    ASSERT_TRUE(listening) << listening.error().message;
    server = std::move(*listening);
    thread = std::thread([this] { exit_code = server->run(); });
  }

  void stop() {
    if (!server) return;
    server->stop();
    thread.join();
    server.reset();
  }

  void TearDown() override { stop(); }

  std::unique_ptr<Client> client() {
    auto c = Client::connect(socket);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }

  // Polls until the provider has received `n` requests.
  bool wait_for_calls(std::size_t n) {
    return testlib::eventually([&] { return provider->calls() >= n; }, std::chrono::seconds(10));
  }
};

}  // namespace oxydra::gateway::testing
