#include "quantize/verify.h"

#include "gguf/gguf_file.h"
#include "quantize/checksum.h"

namespace hearth::quantize {
namespace {

Status check_tensor(const gguf::GgufFile& file, const ExpectedTensor& expected) {
  const gguf::TensorInfo* found = file.find_tensor(expected.name);
  if (found == nullptr) return make_error("tensor '", expected.name, "' is missing");
  if (found->type != expected.type) {
    return make_error("tensor '", expected.name, "' has type ", type_info(found->type).name, ", expected ",
                      type_info(expected.type).name);
  }
  if (found->n_dims != expected.n_dims || found->ne != expected.ne) {
    return make_error("tensor '", expected.name, "' has a different shape");
  }
  if (found->bytes != expected.bytes) {
    return make_error("tensor '", expected.name, "' holds ", found->bytes, " bytes, expected ", expected.bytes);
  }
  if (content_checksum(found->bytes_view()) != expected.checksum) {
    return make_error("tensor '", expected.name, "' data differs from what was written");
  }
  return Status::success();
}

}  // namespace

Status verify_written_file(const std::filesystem::path& path, std::span<const ExpectedTensor> expected,
                           uint32_t file_type) {
  Result<std::unique_ptr<gguf::GgufFile>> opened = gguf::GgufFile::open(path);
  if (!opened.ok()) return make_error("cannot reopen the written file: ", opened.error());
  const gguf::GgufFile& file = **opened;
  if (file.tensors().size() != expected.size()) {
    return make_error("the written file holds ", file.tensors().size(), " tensors, expected ", expected.size());
  }
  for (const ExpectedTensor& tensor : expected) {
    if (Status status = check_tensor(file, tensor); !status.ok()) return status;
  }
  const Result<uint64_t> written_file_type = file.get_uint("general.file_type");
  if (!written_file_type.ok() || *written_file_type != file_type) return make_error("general.file_type was not written");
  const Result<uint64_t> version = file.get_uint("general.quantization_version");
  if (!version.ok() || *version != 2) return make_error("general.quantization_version was not written");
  return Status::success();
}

}  // namespace hearth::quantize
