#include "gguf/gguf_parse.h"

#include <algorithm>
#include <cstring>

#include "gguf/byte_cursor.h"
#include "gguf/metadata_parse.h"
#include "gguf/tensor_info_parse.h"

namespace hearth::gguf {
namespace {

constexpr uint64_t kHeaderBytes = 24;
// Smallest possible records (spec/gguf.md §9 item 3): a 1-byte key with a 1-byte value, and a tensor with a
// 0-byte name and no dimensions. Comparing counts against them bounds work before anything is allocated.
constexpr uint64_t kMinMetadataRecordBytes = 14;
constexpr uint64_t kMinTensorInfoBytes = 24;
constexpr uint32_t kDefaultAlignment = 32;

struct Header {
  uint32_t version;
  uint64_t n_tensors;
  uint64_t n_kv;
};

Result<Header> parse_header(ByteCursor& cursor) {
  if (cursor.size() < kHeaderBytes) {
    return make_error("file is ", cursor.size(), " bytes, too small for the ", kHeaderBytes, "-byte GGUF header");
  }
  std::span<const uint8_t> magic;
  uint32_t version = 0;
  int64_t n_tensors = 0;
  int64_t n_kv = 0;
  cursor.read_bytes(4, magic);
  cursor.read(version);
  cursor.read(n_tensors);
  cursor.read(n_kv);

  if (std::memcmp(magic.data(), "FUGG", 4) == 0) return make_error("big-endian GGUF unsupported");
  if (std::memcmp(magic.data(), "GGUF", 4) != 0) {
    return make_error("not a GGUF file: bytes 0-3 are ", static_cast<int>(magic[0]), " ", static_cast<int>(magic[1]),
                      " ", static_cast<int>(magic[2]), " ", static_cast<int>(magic[3]), ", expected \"GGUF\"");
  }
  // A byte-swapped small version number has its low 16 bits clear (3 reads as 0x03000000).
  if (version != 0 && (version & 0xFFFF) == 0) {
    return make_error("big-endian GGUF unsupported (version field reads ", version, ")");
  }
  if (version != 2 && version != 3) {
    return make_error("unsupported GGUF version ", version, " (only versions 2 and 3 are supported)");
  }
  if (n_tensors < 0) return make_error("header: tensor count is negative (", n_tensors, ")");
  if (n_kv < 0) return make_error("header: metadata count is negative (", n_kv, ")");
  const uint64_t remaining = cursor.remaining();
  if (static_cast<uint64_t>(n_kv) > remaining / kMinMetadataRecordBytes) {
    return make_error("header: ", n_kv, " metadata records cannot fit in the ", remaining,
                      " bytes after the header (each needs at least ", kMinMetadataRecordBytes, ")");
  }
  if (static_cast<uint64_t>(n_tensors) > remaining / kMinTensorInfoBytes) {
    return make_error("header: ", n_tensors, " tensor infos cannot fit in the ", remaining,
                      " bytes after the header (each needs at least ", kMinTensorInfoBytes, ")");
  }
  return Header{version, static_cast<uint64_t>(n_tensors), static_cast<uint64_t>(n_kv)};
}

Result<uint32_t> find_alignment(const std::vector<KeyValue>& metadata) {
  const auto entry = std::find_if(metadata.begin(), metadata.end(),
                                  [](const KeyValue& kv) { return kv.key == "general.alignment"; });
  if (entry == metadata.end()) return kDefaultAlignment;
  if (entry->value.type != ValueType::UINT32) {
    return make_error("key 'general.alignment': expected UINT32 but found ", value_type_name(entry->value.type));
  }
  const uint64_t alignment = std::get<uint64_t>(entry->value.data);
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return make_error("key 'general.alignment': ", alignment, " is not a nonzero power of two");
  }
  return static_cast<uint32_t>(alignment);
}

Status place_tensor_data(std::span<const uint8_t> bytes, uint64_t data_offset, std::vector<TensorInfo>& tensors) {
  for (TensorInfo& tensor : tensors) {
    uint64_t begin;
    uint64_t end;
    if (__builtin_add_overflow(data_offset, tensor.offset, &begin) ||
        __builtin_add_overflow(begin, tensor.bytes, &end) || end > bytes.size()) {
      return make_error("tensor '", tensor.name, "': data of ", tensor.bytes, " bytes at offset ", tensor.offset,
                        " from the data section at byte ", data_offset, " extends past the end of the file (",
                        bytes.size(), " bytes)");
    }
    tensor.data = bytes.data() + begin;
  }
  return Status::success();
}

}  // namespace

Result<ParsedGguf> parse_gguf(std::span<const uint8_t> bytes, const ReadLimits& limits) {
  ByteCursor cursor(bytes);
  Result<Header> header = parse_header(cursor);
  if (!header) return std::move(header).take_error();

  ParsedGguf parsed;
  parsed.version = header->version;
  Result<std::vector<KeyValue>> metadata = parse_metadata(cursor, header->n_kv, limits);
  if (!metadata) return std::move(metadata).take_error();
  parsed.metadata = std::move(*metadata);
  Result<uint32_t> alignment = find_alignment(parsed.metadata);
  if (!alignment) return std::move(alignment).take_error();
  parsed.alignment = *alignment;

  if (header->n_tensors > cursor.remaining() / kMinTensorInfoBytes) {
    return make_error(header->n_tensors, " tensor infos cannot fit in the ", cursor.remaining(),
                      " bytes after the metadata at byte ", cursor.position(), " (each needs at least ",
                      kMinTensorInfoBytes, ")");
  }
  Result<std::vector<TensorInfo>> tensors = parse_tensor_infos(cursor, header->n_tensors, parsed.alignment);
  if (!tensors) return std::move(tensors).take_error();
  parsed.tensors = std::move(*tensors);

  // Like llama.cpp, a file without tensors ends right after its last record, with no padding.
  const uint64_t infos_end = cursor.position();
  parsed.data_offset = infos_end;
  if (!parsed.tensors.empty()) {
    if (!align_up(infos_end, parsed.alignment, parsed.data_offset) || parsed.data_offset > bytes.size()) {
      return make_error("tensor data section would start at byte ", infos_end, " aligned to ", parsed.alignment,
                        ", past the end of the file (", bytes.size(), " bytes)");
    }
  }
  if (Status placed = place_tensor_data(bytes, parsed.data_offset, parsed.tensors); !placed) {
    return Error{placed.error()};
  }
  return parsed;
}

}  // namespace hearth::gguf
