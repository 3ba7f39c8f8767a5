#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oxydra::memory {

// SHA-256 (FIPS 180-4), for the audit log's hash chain. Small and
// dependency-free so the core layer needs no crypto library.
class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();
  void update(std::string_view data);
  // Finishes the hash; the object must not be used afterwards.
  Digest finish();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Lower-case hex of the SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

std::string to_hex(const Sha256::Digest& digest);

}  // namespace oxydra::memory
