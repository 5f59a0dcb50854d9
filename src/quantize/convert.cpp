#include "quantize/convert.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "tensor/quants.h"

namespace hearth::quantize {
namespace {

struct RowLayout {
  int64_t row_length;
  uint64_t source_row_bytes;
  uint64_t target_row_bytes;
};

// The first error any worker hits; the others stop at their next row.
class FirstError {
 public:
  void record(const std::string& message) {
    std::lock_guard lock(mutex_);
    if (!failed_.exchange(true)) message_ = message;
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  Status status() const { return failed_ ? Status(Error{message_}) : Status::success(); }

 private:
  std::mutex mutex_;
  std::atomic<bool> failed_ = false;
  std::string message_;
};

void convert_rows(const gguf::TensorInfo& tensor, TensorType target, const RowLayout& layout, int64_t first_row,
                  int64_t end_row, uint8_t* out, FirstError& error) {
  std::vector<float> values(static_cast<size_t>(layout.row_length));
  for (int64_t row = first_row; row < end_row && !error.failed(); ++row) {
    const uint8_t* source = tensor.data + static_cast<uint64_t>(row) * layout.source_row_bytes;
    if (Status decoded = dequantize_row(tensor.type, source, values.data(), layout.row_length); !decoded.ok()) {
      error.record(decoded.error());
      return;
    }
    uint8_t* destination = out + static_cast<uint64_t>(row) * layout.target_row_bytes;
    if (Result<uint64_t> encoded = quantize_row(target, values.data(), destination, layout.row_length); !encoded.ok()) {
      error.record(encoded.error());
      return;
    }
  }
}

}  // namespace

Status convert_tensor(const gguf::TensorInfo& tensor, TensorType target, std::span<uint8_t> out, unsigned threads) {
  const auto fail = [&](const std::string& why) { return Status(make_error("tensor '", tensor.name, "': ", why)); };
  const Result<uint64_t> source_row_bytes = row_bytes(tensor.type, tensor.ne[0]);
  const Result<uint64_t> target_row_bytes = row_bytes(target, tensor.ne[0]);
  if (!source_row_bytes.ok()) return fail(source_row_bytes.error());
  if (!target_row_bytes.ok()) return fail(target_row_bytes.error());
  const int64_t rows = tensor.rows();
  if (out.size() != static_cast<uint64_t>(rows) * *target_row_bytes) return fail("output buffer has the wrong size");
  if (tensor.bytes != static_cast<uint64_t>(rows) * *source_row_bytes) return fail("data size does not match its shape");

  if (target == tensor.type) {
    std::memcpy(out.data(), tensor.data, out.size());
    return Status::success();
  }
  if (!type_info(tensor.type).dequantizable) return fail(make_error("cannot decode type ", type_info(tensor.type).name).message);
  if (!can_quantize(target)) return fail(make_error("cannot encode type ", type_info(target).name).message);

  const RowLayout layout{tensor.ne[0], *source_row_bytes, *target_row_bytes};
  FirstError error;
  const int64_t workers = std::clamp<int64_t>(threads, 1, std::max<int64_t>(rows, 1));
  const int64_t rows_per_worker = (rows + workers - 1) / workers;
  std::vector<std::thread> pool;
  for (int64_t worker = 1; worker < workers; ++worker) {
    const int64_t first = std::min(rows, worker * rows_per_worker);
    const int64_t end = std::min(rows, first + rows_per_worker);
    pool.emplace_back(convert_rows, std::cref(tensor), target, std::cref(layout), first, end, out.data(), std::ref(error));
  }
  convert_rows(tensor, target, layout, 0, std::min(rows, rows_per_worker), out.data(), error);
  for (std::thread& thread : pool) thread.join();
  if (!error.failed()) return Status::success();
  return fail(error.status().error());
}

}  // namespace hearth::quantize
