// libFuzzer harness for the GGUF reader: parses the input from memory and, when it is accepted, exercises
// every getter and touches the first and last byte of every tensor so out-of-bounds views are caught.
#include <cstddef>
#include <cstdint>

#include "gguf/gguf_file.h"

using hearth::gguf::GgufFile;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hearth::Result<std::unique_ptr<GgufFile>> opened = GgufFile::open_memory({data, size});
  if (!opened.ok()) return 0;
  const GgufFile& file = **opened;
  size_t checksum = 0;
  for (const hearth::gguf::KeyValue& kv : file.metadata()) {
    checksum += hearth::gguf::format_value(kv.value, 4).size();
    checksum += file.get_uint(kv.key).ok() + file.get_int(kv.key).ok() + file.get_float(kv.key).ok();
    checksum += file.get_bool(kv.key).ok() + file.get_string(kv.key).ok();
    checksum += file.get_int_array(kv.key).ok() + file.get_float_array(kv.key).ok();
    checksum += file.get_string_array(kv.key).ok();
    checksum += file.find(kv.key) == &kv.value;
  }
  for (const hearth::gguf::TensorInfo& tensor : file.tensors()) {
    checksum += file.find_tensor(tensor.name) == &tensor;
    if (tensor.bytes > 0) checksum += tensor.data[0] + tensor.data[tensor.bytes - 1];
  }
  // Keeps the reads above from being optimised away.
  volatile size_t sink = checksum;
  (void)sink;
  return 0;
}
