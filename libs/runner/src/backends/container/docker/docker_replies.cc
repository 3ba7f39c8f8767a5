#include "backends/container/docker/docker_replies.h"

#include <cstdlib>
#include <filesystem>
#include <limits>

namespace oxydra::runner {

namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool bool_at(const json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// An integer field within [low, high], else `fallback`.
long long int_at(const json& object, const char* key, long long low, long long high,
                 long long fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    return value <= static_cast<std::uint64_t>(high) ? static_cast<long long>(value) : fallback;
  }
  const auto value = it->get<std::int64_t>();
  return value >= low && value <= high ? value : fallback;
}

// Errors show the path without its query, which holds nothing to identify.
std::string_view without_query(std::string_view path) {
  return path.substr(0, path.find('?'));
}

}  // namespace

std::string docker_call_name(std::string_view method, std::string_view path) {
  return "docker: " + std::string(method) + " " + std::string(without_query(path));
}

Error docker_error(std::string_view method, std::string_view path, const DockerResponse& response) {
  std::string message;
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    message = parsed["message"].get<std::string>();
  } else {
    message = response.body.substr(0, 200);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
  }
  std::string text = docker_call_name(method, path) + ": " + std::to_string(response.status);
  if (!message.empty()) text += ": " + message;
  if (response.status == 404 && message.rfind("No such image", 0) == 0) {
    text += " (hint: import the guest images with scripts/import-guest-images)";
    return Error{ErrorCode::docker_image_missing, text};
  }
  return Error{response.status == 404 ? ErrorCode::not_found : ErrorCode::docker_error, text};
}

void DockerStreamDemuxer::feed(std::string_view bytes) {
  pending_.append(bytes);
  std::size_t at = 0;
  while (pending_.size() - at >= 8) {
    const auto* header = reinterpret_cast<const unsigned char*>(pending_.data() + at);
    const std::size_t length = (std::size_t{header[4]} << 24) | (std::size_t{header[5]} << 16) |
                               (std::size_t{header[6]} << 8) | std::size_t{header[7]};
    if (pending_.size() - at - 8 < length) break;
    sink_(header[0], std::string_view(pending_.data() + at + 8, length));
    at += 8 + length;
  }
  pending_.erase(0, at);
}

Result<DaemonFacts> parse_daemon_facts(const json& info) {
  DaemonFacts facts;
  facts.cgroupfs = string_at(info, "CgroupDriver") == "cgroupfs";
  if (info.is_object()) {
    auto options = info.find("SecurityOptions");
    if (options != info.end() && options->is_array()) {
      for (const auto& option : *options) {
        if (option.is_string() && option.get<std::string>() == "name=userns")
          facts.userns_remap = true;
      }
    }
  }
  if (facts.userns_remap) {
    // With --userns-remap the data root is <data-root>/<uid>.<gid> of the
    // range's first id, which is what guest root maps to.
    const std::string data_root = string_at(info, "DockerRootDir");
    const std::string root = std::filesystem::path(data_root).filename();
    char* end = nullptr;
    const unsigned long base = std::strtoul(root.c_str(), &end, 10);
    if (end == root.c_str() || *end != '.' || base > std::numeric_limits<std::uint32_t>::max()) {
      return fail(ErrorCode::docker_error,
                  "docker: GET /info: the daemon remaps user ids but its data root " + data_root +
                      " does not name the range (<uid>.<gid>)");
    }
    facts.id_base = static_cast<std::uint32_t>(base);
  }
  return facts;
}

ContainerState parse_container_state(const json& inspected) {
  ContainerState state;
  if (!inspected.is_object()) return state;
  auto it = inspected.find("State");
  if (it == inspected.end() || !it->is_object()) return state;
  const json& s = *it;
  state.running = bool_at(s, "Running");
  state.pid = static_cast<pid_t>(int_at(s, "Pid", 0, std::numeric_limits<pid_t>::max(), 0));
  state.exit_code = static_cast<int>(
      int_at(s, "ExitCode", std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), -1));
  state.status = string_at(s, "Status");
  state.oom_killed = bool_at(s, "OOMKilled");
  return state;
}

std::vector<std::string> parse_container_ids(const json& listed) {
  std::vector<std::string> ids;
  if (!listed.is_array()) return ids;
  for (const auto& container : listed) {
    std::string id = string_at(container, "Id");
    if (!id.empty()) ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace oxydra::runner
