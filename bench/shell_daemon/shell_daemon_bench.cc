// Run: build/<dir>/bin/bench_shell_daemon  (finds shell-daemon beside itself,
// or in $OXYDRA_BIN_DIR). Figures go to docs/benchmarks.md.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "oxydra/testlib/proc_scan.h"
#include "oxydra/testlib/shell_daemon_process.h"

namespace {

using nlohmann::json;
using oxydra::testlib::FrameClient;
using oxydra::testlib::ShellDaemonProcess;

constexpr std::uint64_t kGiB = 1ull << 30;

// Baseline: what a caller pays to run a command itself — posix_spawn of
// /bin/sh -c with stdout and stderr pipes, read both to EOF, reap.
std::uint64_t spawn_and_read(const char* command) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  const char* argv[] = {"/bin/sh", "-c", command, nullptr};
  pid_t pid;
  if (posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ) != 0) {
    throw std::runtime_error("posix_spawn");
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  std::uint64_t total = 0;
  static char buf[1 << 16];
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    ::poll(fds, 2, -1);
    for (auto& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(f.fd, buf, sizeof(buf));
      if (n > 0) {
        total += static_cast<std::uint64_t>(n);
      } else {
        ::close(f.fd);
        f.fd = -1;
        --open;
      }
    }
  }
  int status;
  ::waitpid(pid, &status, 0);
  return total;
}

struct Daemon {
  Daemon() : process({"--log-level", "warn", "--max-sessions", "256"}) {
    if (!process.started())
      throw std::runtime_error("shell-daemon did not start: " + process.log());
    auto c = process.connect();
    if (!c) throw std::runtime_error(c.error().message);
    client = std::make_unique<FrameClient>(std::move(*c));
    session = spawn(*client);
    // A second client that negotiated base64 output events (any bytes, 4/3 on the wire).
    auto b = process.connect();
    if (!b) throw std::runtime_error(b.error().message);
    base64_client = std::make_unique<FrameClient>(std::move(*b));
    auto hello = base64_client->request("hello", {{"request_id", "h"},
                                                  {"protocol_version", 1},
                                                  {"client", "bench"},
                                                  {"output_encodings", {"base64"}}});
    if (!hello || hello->payload.value("output_encoding", "") != "base64")
      throw std::runtime_error("base64 output was not negotiated");
    base64_session = spawn(*base64_client);
  }
  static std::string spawn(FrameClient& c) {
    auto reply = c.request("spawn_session", {{"request_id", "s"}});
    if (!reply || reply->op != "spawn_session") throw std::runtime_error("spawn_session failed");
    return reply->payload["session_id"];
  }
  ShellDaemonProcess process;
  std::unique_ptr<FrameClient> client;
  std::string session;
  std::unique_ptr<FrameClient> base64_client;
  std::string base64_session;
};

Daemon& daemon() {
  static Daemon d;
  return d;
}

void BM_Baseline_Spawn(benchmark::State& state, const char* command) {
  for (auto _ : state)
    benchmark::DoNotOptimize(spawn_and_read(command));
}
BENCHMARK_CAPTURE(BM_Baseline_Spawn, true, "true")->Unit(benchmark::kMicrosecond)->MinTime(3);
BENCHMARK_CAPTURE(BM_Baseline_Spawn, echo_hi, "echo hi")->Unit(benchmark::kMicrosecond)->MinTime(3);

// exec_command answered when the command is done; with `stream` the output
// arrives as events before the reply (one round trip), in pull mode it takes
// a stream_output round trip more.
void BM_Daemon_Exec(benchmark::State& state, const char* command, const char* mode) {
  Daemon& d = daemon();
  const bool stream = std::strcmp(mode, "stream") == 0;
  const bool pull = std::strcmp(mode, "pull") == 0;
  for (auto _ : state) {
    auto reply = d.client->request(
        "exec_command",
        {{"request_id", "e"}, {"session_id", d.session}, {"command", command}, {"stream", stream}});
    if (!reply || reply->op != "exec_command") state.SkipWithError("exec failed");
    if (pull) d.client->request("stream_output", {{"request_id", "o"}, {"session_id", d.session}});
    while (stream && d.client->recv(std::chrono::milliseconds(0))) {
    }
  }
}
BENCHMARK_CAPTURE(BM_Daemon_Exec, true, "true", "plain")->Unit(benchmark::kMicrosecond)->MinTime(3);
BENCHMARK_CAPTURE(BM_Daemon_Exec, echo_hi_stream, "echo hi", "stream")
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(3);
BENCHMARK_CAPTURE(BM_Daemon_Exec, echo_hi_pull, "echo hi", "pull")
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(3);

// The two paths alternated within one loop, so both see the same machine
// load (this host is shared): mean microseconds of each and their ratio.
void BM_RoundTripRatio(benchmark::State& state, const char* command, bool stream) {
  Daemon& d = daemon();
  using Clock = std::chrono::steady_clock;
  Clock::duration baseline{}, via_daemon{};
  for (auto _ : state) {
    auto t0 = Clock::now();
    benchmark::DoNotOptimize(spawn_and_read(command));
    auto t1 = Clock::now();
    auto reply = d.client->request(
        "exec_command",
        {{"request_id", "e"}, {"session_id", d.session}, {"command", command}, {"stream", stream}});
    if (!reply || reply->op != "exec_command") state.SkipWithError("exec failed");
    auto t2 = Clock::now();
    while (stream && d.client->recv(std::chrono::milliseconds(0))) {
    }
    baseline += t1 - t0;
    via_daemon += t2 - t1;
  }
  const double n = static_cast<double>(state.iterations());
  const double base_us = std::chrono::duration<double, std::micro>(baseline).count() / n;
  const double daemon_us = std::chrono::duration<double, std::micro>(via_daemon).count() / n;
  state.counters["baseline_us"] = base_us;
  state.counters["daemon_us"] = daemon_us;
  state.counters["ratio"] = daemon_us / base_us;
}
BENCHMARK_CAPTURE(BM_RoundTripRatio, true, "true", false)->Iterations(3000);
BENCHMARK_CAPTURE(BM_RoundTripRatio, echo_hi_stream, "echo hi", true)->Iterations(3000);

void BM_Baseline_Read1GiB(benchmark::State& state, const char* command) {
  for (auto _ : state) {
    if (spawn_and_read(command) != kGiB) state.SkipWithError("short read");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kGiB));
}
BENCHMARK_CAPTURE(BM_Baseline_Read1GiB, zeros, "head -c 1073741824 /dev/zero")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Baseline_Read1GiB, text,
                  "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1073741824")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

// Reads frames off a socket without a JSON parse for `output` events (a
// client consuming output as it comes), so the figure is the daemon's.
class RawFrameReader {
 public:
  explicit RawFrameReader(int fd) : fd_(fd), buffer_(4u << 20) {}

  // The next frame's payload; the view lives until the next call.
  std::optional<std::string_view> next() {
    for (;;) {
      if (end_ - begin_ >= 4) {
        const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + begin_);
        const std::size_t n = (std::size_t{p[0]} << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
        if (n + 4 > buffer_.size()) buffer_.resize(n + 4);
        if (end_ - begin_ >= n + 4) {
          std::string_view payload(buffer_.data() + begin_ + 4, n);
          begin_ += n + 4;
          return payload;
        }
      }
      if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      const ssize_t r = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
      if (r <= 0) return std::nullopt;
      end_ += static_cast<std::size_t>(r);
    }
  }

 private:
  int fd_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// Streaming mode end to end: every output event framed, sent, and read by
// the client; only the final reply is parsed.
void BM_Daemon_Stream1GiB(benchmark::State& state, const char* command, bool base64) {
  Daemon& d = daemon();
  FrameClient& client = base64 ? *d.base64_client : *d.client;
  const std::string& session = base64 ? d.base64_session : d.session;
  std::size_t peak_rss = 0;
  std::uint64_t wire_bytes = 0;
  const double cpu_before = oxydra::testlib::cpu_seconds(d.process.pid());
  for (auto _ : state) {
    client.send(
        "exec_command",
        {{"request_id", "big"}, {"session_id", session}, {"command", command}, {"stream", true}});
    RawFrameReader reader(client.fd());
    std::uint64_t events = 0;
    for (;;) {
      auto frame = reader.next();
      if (!frame) {
        state.SkipWithError("connection closed");
        break;
      }
      wire_bytes += frame->size() + 4;
      if (frame->substr(0, 15) == R"({"op":"output",)") {
        if ((++events & 255) == 0) {
          peak_rss = std::max(peak_rss, oxydra::testlib::rss_bytes(d.process.pid()));
        }
        continue;
      }
      auto reply = json::parse(*frame);
      if (reply["payload"]["stdout_bytes"] != kGiB) state.SkipWithError("short output");
      break;
    }
    state.counters["events"] = static_cast<double>(events);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kGiB));
  state.counters["daemon_cpu_s"] =
      (oxydra::testlib::cpu_seconds(d.process.pid()) - cpu_before) / state.iterations();
  state.counters["wire_MiB"] = static_cast<double>(wire_bytes) / state.iterations() / (1 << 20);
  state.counters["daemon_peak_rss_MiB"] = static_cast<double>(peak_rss) / (1 << 20);
}
BENCHMARK_CAPTURE(BM_Daemon_Stream1GiB, zeros, "head -c 1073741824 /dev/zero", false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Daemon_Stream1GiB, zeros_base64, "head -c 1073741824 /dev/zero", true)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Daemon_Stream1GiB, text,
                  "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1073741824", false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Daemon_Stream1GiB, text_base64,
                  "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1073741824", true)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

// Resident memory of a fresh daemon, then with 100 idle sessions (each has
// run one command, so it holds real state).
void BM_Daemon_Rss(benchmark::State& state) {
  for (auto _ : state) {
    ShellDaemonProcess fresh({"--log-level", "warn", "--max-sessions", "256"});
    auto c = fresh.connect();
    if (!c) {
      state.SkipWithError("connect failed");
      break;
    }
    c->request("hello", {{"request_id", "h"}, {"protocol_version", 1}, {"client", "bench"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    state.counters["idle_rss_MiB"] =
        static_cast<double>(oxydra::testlib::rss_bytes(fresh.pid())) / (1 << 20);
    for (int i = 0; i < 100; ++i) {
      auto s = c->request("spawn_session", {{"request_id", "s"}});
      c->request("exec_command", {{"request_id", "e"},
                                  {"session_id", s->payload["session_id"]},
                                  {"command", "cd /tmp && export N=" + std::to_string(i)}});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    state.counters["rss_100_sessions_MiB"] =
        static_cast<double>(oxydra::testlib::rss_bytes(fresh.pid())) / (1 << 20);
  }
}
BENCHMARK(BM_Daemon_Rss)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
