#include "oxydra/types/user_config.h"

#include <system_error>

#include "toml_reader.h"

namespace oxydra {

using detail::TomlReader;

namespace {

void read_mounts(TomlReader& r, UserMounts& m) {
  r.only_keys({"shared", "tmp", "vault"});
  if (auto p = r.path("shared")) m.shared = *p;
  if (auto p = r.path("tmp")) m.tmp = *p;
  if (auto p = r.path("vault")) m.vault = *p;
}

void read_resources(TomlReader& r, UserResources& res) {
  r.only_keys({"max_vcpus", "max_memory_mib", "max_processes", "max_disk_mib"});
  r.read("max_vcpus", res.max_vcpus, 1, 1024);
  r.read("max_memory_mib", res.max_memory_mib, 16);
  r.read("max_processes", res.max_processes, 1);
  r.read("max_disk_mib", res.max_disk_mib, 16);
}

void read_credential_refs(TomlReader& r, const std::filesystem::path& base_dir,
                          std::map<std::string, CredentialRef>& out) {
  for (auto& [name, text] : r.strings()) {
    if (auto valid = validate_credential_name(name); !valid) {
      r.problem(name, valid.error().message);
      continue;
    }
    auto ref = parse_credential_ref(text);
    if (!ref) {
      r.problem(name, ref.error().message);
      continue;
    }
    if (ref->kind == CredentialRef::Kind::file) {
      ref->target = detail::resolve_path(base_dir, ref->target).string();
    }
    out.emplace(name, std::move(*ref));
  }
}

void read_behavior(TomlReader& r, UserBehavior& b) {
  r.only_keys({"sandbox_tier", "shell_enabled", "browser_enabled", "shell_network"});
  b.sandbox_tier = detail::read_configured_tier(r, "sandbox_tier");
  r.read("shell_enabled", b.shell_enabled);
  r.read("browser_enabled", b.browser_enabled);
  r.read("shell_network", b.shell_network);
}

}  // namespace

Result<UserConfig> parse_user_config(std::string_view text, std::string_view source_name,
                                     const std::filesystem::path& base_dir) {
  auto doc = detail::parse_toml(text, source_name);
  if (!doc) return tl::unexpected(doc.error());
  detail::ConfigProblems problems(std::string(source_name) + ": ");
  TomlReader root(*doc, "", problems, base_dir);
  root.only_keys({"agent_config", "mounts", "resources", "credential_refs", "behavior"});

  UserConfig config;
  config.source = std::string(source_name);
  if (root.require("agent_config")) root.read_path("agent_config", config.agent_config);
  if (auto t = root.table("mounts")) read_mounts(*t, config.mounts);
  if (auto t = root.table("resources")) read_resources(*t, config.resources);
  if (auto t = root.table("credential_refs"))
    read_credential_refs(*t, base_dir, config.credential_refs);
  if (auto t = root.table("behavior")) read_behavior(*t, config.behavior);
  if (!problems.ok()) return problems.error();
  return config;
}

Result<UserConfig> load_user_config(const std::filesystem::path& path) {
  auto text = detail::read_config_file(path);
  if (!text) return tl::unexpected(text.error());
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec) return tl::unexpected(errno_error("cannot resolve " + path.string(), ec.value()));
  return parse_user_config(*text, path.string(), absolute.parent_path());
}

}  // namespace oxydra
