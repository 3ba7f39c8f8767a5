#include <gtest/gtest.h>

#include "daemon/supervisor.h"

namespace oxydra::runner {
namespace {

TEST(RestartDelay, DoublesFromTheFirstDelayUpToTheCap) {
  SupervisionConfig config;
  config.restart_backoff_ms = 100;
  config.restart_backoff_max_ms = 1000;
  EXPECT_EQ(restart_delay(config, 0).count(), 100);
  EXPECT_EQ(restart_delay(config, 1).count(), 200);
  EXPECT_EQ(restart_delay(config, 3).count(), 800);
  EXPECT_EQ(restart_delay(config, 4).count(), 1000);
  EXPECT_EQ(restart_delay(config, 60).count(), 1000);
}

TEST(Supervisor, RestartsAReadyGuestThenGivesUpAtRestartMax) {
  asio::io_context io;
  SupervisionConfig config;
  config.restart_max = 2;
  config.restart_backoff_ms = 1;
  config.restart_backoff_max_ms = 1;
  int restarts = 0;
  std::optional<GuestExit> polled;
  Supervisor* self = nullptr;
  Supervisor supervisor(
      io, config,
      [&](GuestRole role) {
        ++restarts;
        GuestHandle again;
        again.role = role;
        again.guest_id = "guest-" + std::to_string(restarts);
        self->started(again);
        self->ready(role);
        polled = GuestExit{1, std::nullopt};  // and it fails again
      },
      [&](const GuestHandle&) { return std::exchange(polled, std::nullopt); });
  self = &supervisor;
  GuestHandle first;
  first.role = GuestRole::runtime;
  first.guest_id = "guest-0";
  supervisor.started(first);
  supervisor.ready(GuestRole::runtime);
  polled = GuestExit{std::nullopt, 9};
  // Polls run once a second: run until the supervisor has given up.
  while (supervisor.record(GuestRole::runtime)->state != GuestState::failed)
    io.run_one();
  EXPECT_EQ(restarts, 2);
  const GuestRecord* record = supervisor.record(GuestRole::runtime);
  EXPECT_EQ(record->restarts_total, 2);
  EXPECT_NE(record->last_event.find("not restarting"), std::string::npos) << record->last_event;
  EXPECT_FALSE(supervisor.live(GuestRole::runtime));
}

TEST(Supervisor, AnExitBeforeTheFirstReadyIsNotRestarted) {
  asio::io_context io;
  int restarts = 0;
  std::optional<GuestExit> polled;
  Supervisor supervisor(
      io, SupervisionConfig{}, [&](GuestRole) { ++restarts; },
      [&](const GuestHandle&) { return std::exchange(polled, std::nullopt); });
  GuestHandle guest;
  guest.guest_id = "g";
  supervisor.started(guest);
  polled = GuestExit{2, std::nullopt};
  while (supervisor.record(GuestRole::runtime)->state != GuestState::failed)
    io.run_one();
  EXPECT_EQ(restarts, 0);
  EXPECT_NE(supervisor.record(GuestRole::runtime)->last_event.find("during startup"),
            std::string::npos);
}

}  // namespace
}  // namespace oxydra::runner
