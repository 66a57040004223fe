/* The body shared by the per-format artifact harnesses. A harness defines
 * FUZZ_MAGIC_OFF/FUZZ_MAGIC (written over the input, so every run reaches
 * that format's parser), FUZZ_MIN (the size its identification needs) and
 * FUZZ_ARCH, then includes this file. Each input is parsed, verified, has
 * every field and its release read: the sanitizers judge. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_fields[] = {
	"format",      "arch",	     "bits",	  "endian",  "size",	"load",
	"entry",       "name",	     "os",	  "type",    "comp",	"crc",
	"text-offset", "image-size", "page-size", "payload", "release",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size < FUZZ_MIN ? FUZZ_MIN : size, i;
	unsigned char *buf = calloc(1, len);
	struct kbx_image img;
	struct kbx_err err;

	if (!buf)
		return 0;
	/* a bomb would only measure the fuzzer's patience */
	kbx_payload_max = 4u << 20;
	memcpy(buf, data, size);
	memcpy(buf + FUZZ_MAGIC_OFF, FUZZ_MAGIC, sizeof(FUZZ_MAGIC) - 1);
	if (kbx_image_parse("fuzz", buf, len, &img, &err) == 0) {
		for (i = 0; i < sizeof(fuzz_fields) / sizeof(fuzz_fields[0]);
		     i++) {
			struct kbx_out out;

			kbx_out_init(&out);
			kbx_image_field(&img, fuzz_fields[i], &out, &err);
			kbx_out_free(&out);
		}
		kbx_image_verify(&img, FUZZ_ARCH, &err);
	}
	free(buf);
	return 0;
}
