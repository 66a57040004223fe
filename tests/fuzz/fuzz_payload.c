/* libFuzzer: every payload decoder (gzip, xz, lzma, lzo, lz4 legacy and
 * frame, zstd) on arbitrary streams; the first byte picks the decoder. */
#include <stdint.h>
#include <stdlib.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int stop_at_banner(void *ctx, const unsigned char *buf, size_t len,
			  size_t from)
{
	return kbx_banner_find(buf, len, from, ctx, 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum kbx_comp comps[] = {
		KBX_COMP_GZIP, KBX_COMP_XZ,   KBX_COMP_LZMA,  KBX_COMP_LZO,
		KBX_COMP_LZ4,  KBX_COMP_ZSTD, KBX_COMP_BZIP2,
	};
	struct kbx_inflate res;
	struct kbx_err err;
	char release[64];

	if (size < 1)
		return 0;
	kbx_decompress(comps[data[0] % 7], data + 1, size - 1, 4u << 20,
		       data[0] & 0x80 ? stop_at_banner : NULL, release, &res,
		       "fuzz", &err);
	kbx_inflate_free(&res);
	return 0;
}
