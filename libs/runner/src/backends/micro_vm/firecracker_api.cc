#include "backends/micro_vm/firecracker_api.h"

#include <poll.h>
#include <unistd.h>

#include <cctype>

#include "oxydra/sys/io.h"
#include "oxydra/sys/unix_connect.h"

namespace oxydra::runner {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxResponse = std::size_t{64} * 1024;

struct HttpReply {
  int status = 0;
  std::string body;
};

// Status line, headers up to the blank line, then Content-Length bytes.
Result<HttpReply> parse_reply(const std::string& bytes, bool& complete) {
  complete = false;
  const auto head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string::npos) return HttpReply{};
  HttpReply reply;
  if (bytes.rfind("HTTP/1.1 ", 0) != 0 || bytes.size() < 12)
    return fail(ErrorCode::invalid_response, "not an HTTP/1.1 answer");
  try {
    reply.status = std::stoi(bytes.substr(9, 3));
  } catch (const std::exception&) {
    return fail(ErrorCode::invalid_response, "no status code");
  }
  std::size_t length = 0;
  std::size_t at = bytes.find("\r\n") + 2;
  while (at < head_end) {
    const auto end = bytes.find("\r\n", at);
    std::string header = bytes.substr(at, end - at);
    for (std::size_t i = 0; i < header.size() && header[i] != ':'; ++i)
      header[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(header[i])));
    if (header.rfind("content-length:", 0) == 0) {
      try {
        length = std::stoul(header.substr(15));
      } catch (const std::exception&) {
        return fail(ErrorCode::invalid_response, "bad Content-Length");
      }
    }
    at = end + 2;
  }
  if (length > kMaxResponse) return fail(ErrorCode::invalid_response, "answer too large");
  if (bytes.size() < head_end + 4 + length) return HttpReply{};
  reply.body = bytes.substr(head_end + 4, length);
  complete = true;
  return reply;
}

}  // namespace

Result<void> FirecrackerApi::put(const std::string& path, const json& body) const {
  const std::string name = "firecracker: PUT " + path;
  const auto deadline = sys::Clock::now() + timeout_;
  std::error_code error;
  sys::UniqueFd fd =
      sys::connect_unix_once(socket_.string(), deadline, sys::FdMode::blocking, error);
  if (!fd) {
    return fail(ErrorCode::connection_failed, name + ": no Firecracker answers at " +
                                                  socket_.string() + " (" + error.message() + ")");
  }
  const std::string payload = body.dump();
  const std::string request = "PUT " + path +
                              " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                              "Content-Type: application/json\r\nContent-Length: " +
                              std::to_string(payload.size()) + "\r\n\r\n" + payload;
  std::size_t written = 0;
  if (auto sent = sys::write_all(fd.get(), request, deadline, written); sent)
    return fail(ErrorCode::connection_lost, name + ": " + sent.message());
  std::string bytes;
  char buffer[4096];
  for (;;) {
    bool complete = false;
    auto reply = parse_reply(bytes, complete);
    if (!reply) return fail(ErrorCode::invalid_response, name + ": " + reply.error().message);
    if (complete) {
      if (reply->status >= 200 && reply->status < 300) return {};
      const auto parsed = json::parse(reply->body, nullptr, false);
      const std::string fault = parsed.is_object() && parsed.contains("fault_message") &&
                                        parsed["fault_message"].is_string()
                                    ? parsed["fault_message"].get<std::string>()
                                    : reply->body;
      return fail(ErrorCode::invalid_response,
                  name + ": " + std::to_string(reply->status) + ": " + fault);
    }
    if (bytes.size() > kMaxResponse)
      return fail(ErrorCode::invalid_response, name + ": answer too large");
    if (auto ready = sys::wait_for(fd.get(), POLLIN, deadline); ready)
      return fail(ErrorCode::timeout, name + ": no answer (" + ready.message() + ")");
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n <= 0) return fail(ErrorCode::connection_lost, name + ": connection closed mid-answer");
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

Result<void> FirecrackerApi::configure(const FirecrackerVm& vm) const {
  if (auto done = put("/machine-config",
                      {{"vcpu_count", vm.vcpu_count}, {"mem_size_mib", vm.mem_size_mib}});
      !done)
    return done;
  json boot = {{"kernel_image_path", vm.kernel_image_path.string()}, {"boot_args", vm.boot_args}};
  if (!vm.initrd_path.empty()) boot["initrd_path"] = vm.initrd_path.string();
  if (auto done = put("/boot-source", boot); !done) return done;
  for (const auto& drive : vm.drives) {
    if (auto done = put("/drives/" + drive.drive_id, {{"drive_id", drive.drive_id},
                                                      {"path_on_host", drive.path_on_host.string()},
                                                      {"is_root_device", drive.is_root_device},
                                                      {"is_read_only", drive.is_read_only}});
        !done)
      return done;
  }
  return put("/vsock", {{"guest_cid", vm.guest_cid}, {"uds_path", vm.vsock_uds_path.string()}});
}

Result<void> FirecrackerApi::start() const {
  return put("/actions", {{"action_type", "InstanceStart"}});
}

}  // namespace oxydra::runner
