// JPEG (baseline and progressive) through libjpeg-turbo. Its error manager must not return: ours longjmps
// back into read_jpeg. Warnings that mean the data is damaged (truncation, bad entropy codes) are errors
// too, since libjpeg would otherwise pad the image with grey and call it a success.
#include <stdio.h>  // jpeglib.h needs FILE and size_t declared first
#include <jerror.h>
#include <jpeglib.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "media/image_codecs.h"
#include "media/image_exif.h"

namespace hearth::media::codecs {
namespace {

// A progressive file may hold any number of scans, each a full pass over the coefficients; more than this
// is a CPU-time bomb, not a photograph.
constexpr int kMaxScans = 500;

struct JpegErrors {
  jpeg_error_mgr base;  // first, so libjpeg's pointer to it is also a pointer to this
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] void fail_with(j_common_ptr cinfo, const char* message) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  std::snprintf(errors->message, sizeof errors->message, "%s", message);
  std::longjmp(errors->jump, 1);
}

[[noreturn]] void jpeg_error_exit(j_common_ptr cinfo) {
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  fail_with(cinfo, message);
}

void jpeg_emit_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
      jpeg_error_exit(cinfo);
    default:
      break;  // benign: extraneous bytes, unknown JFIF revision, ...
  }
}

void jpeg_check_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxScans) {
    fail_with(cinfo, "too many progressive scans (over 500)");
  }
}

// Owns the decompressor so every exit path frees it; destroying a never-created (zeroed) one is a no-op.
struct Decompressor {
  jpeg_decompress_struct cinfo{};
  JpegErrors errors{};
  jpeg_progress_mgr progress{};
  ~Decompressor() { jpeg_destroy_decompress(&cinfo); }
};

int orientation_of(const jpeg_decompress_struct& cinfo) {
  for (jpeg_saved_marker_ptr marker = cinfo.marker_list; marker != nullptr; marker = marker->next) {
    if (marker->marker != JPEG_APP0 + 1) continue;
    const int orientation = exif_orientation({marker->data, marker->data_length});
    if (orientation != 1) return orientation;
  }
  return 1;
}

// Adobe CMYK JPEGs store inverted ink values: with c, m, y, k the stored bytes, R = c·k/255 etc.
void cmyk_row_to_rgb(const uint8_t* cmyk, int64_t width, uint8_t* rgb) {
  for (int64_t x = 0; x < width; ++x) {
    const int k = cmyk[4 * x + 3];
    for (int c = 0; c < 3; ++c) rgb[3 * x + c] = static_cast<uint8_t>((cmyk[4 * x + c] * k + 127) / 255);
  }
}

// The part libjpeg may jump out of; it declares no objects with destructors (the caller's are built before
// the setjmp). False with d.errors.message set on an error; a size error goes to `limit`.
bool read_jpeg(Decompressor& d, std::span<const uint8_t> bytes, const ImageDecodeOptions& options, RgbImage& image,
               std::vector<uint8_t>& cmyk_row, int& orientation, Status& limit) {
  if (setjmp(d.errors.jump)) return false;
  jpeg_create_decompress(&d.cinfo);
  d.progress.progress_monitor = jpeg_check_progress;
  d.cinfo.progress = &d.progress;
  jpeg_mem_src(&d.cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_save_markers(&d.cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&d.cinfo, TRUE);
  orientation = orientation_of(d.cinfo);  // saved markers live in the image pool, freed by finish_decompress
  limit = check_dimensions(d.cinfo.image_width, d.cinfo.image_height, options);
  if (!limit) return false;
  const bool cmyk = d.cinfo.jpeg_color_space == JCS_CMYK || d.cinfo.jpeg_color_space == JCS_YCCK;
  d.cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress(&d.cinfo);
  if (d.cinfo.output_components != (cmyk ? 4 : 3)) fail_with(reinterpret_cast<j_common_ptr>(&d.cinfo), "unexpected component count");
  image = make_rgb_image(d.cinfo.output_width, d.cinfo.output_height);
  if (cmyk) cmyk_row.resize(static_cast<size_t>(image.width) * 4);
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    const int64_t y = d.cinfo.output_scanline;
    JSAMPROW row = cmyk ? cmyk_row.data() : image.pixel(0, y);
    if (jpeg_read_scanlines(&d.cinfo, &row, 1) != 1) fail_with(reinterpret_cast<j_common_ptr>(&d.cinfo), "no scanline decoded");
    if (cmyk) cmyk_row_to_rgb(cmyk_row.data(), image.width, image.pixel(0, y));
  }
  jpeg_finish_decompress(&d.cinfo);
  return true;
}

}  // namespace

Result<RgbImage> decode_jpeg(std::span<const uint8_t> bytes, const ImageDecodeOptions& options) {
  Decompressor d;
  d.cinfo.err = jpeg_std_error(&d.errors.base);
  d.errors.base.error_exit = jpeg_error_exit;
  d.errors.base.emit_message = jpeg_emit_message;

  RgbImage image;
  std::vector<uint8_t> cmyk_row;
  int orientation = 1;
  Status limit;
  if (!read_jpeg(d, bytes, options, image, cmyk_row, orientation, limit)) {
    if (!limit) return Error{limit.error()};
    return make_error(d.errors.message);
  }
  if (options.apply_exif_orientation && orientation != 1) return apply_orientation(image, orientation);
  return image;
}

}  // namespace hearth::media::codecs
