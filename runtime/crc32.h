// CRC-32 (IEEE 802.3, the zlib polynomial): the checksum of every checkpoint journal record.
#pragma once

#include <cstddef>
#include <cstdint>

namespace asmplan {

/// The CRC-32 of `size` bytes at `data`; Crc32("123456789", 9) == 0xCBF43926.
std::uint32_t Crc32(const void* data, std::size_t size);

}  // namespace asmplan
