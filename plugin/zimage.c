/* ARM 32-bit zImage (arch/arm/boot/compressed/head.S): the header at 0x24,
 * the KLSZ extension table, and where the compressed Image ends. */
#include <string.h>

#include "kbx.h"

#define ZIMAGE_MAGIC 0x016F2818u
#define ZIMAGE_ENDIAN 0x04030201u
#define ZIMAGE_TABLE 0x45454545u
#define KLSZ_TAG 0x5A534C4Bu

struct zreader {
	const unsigned char *d;
	int big; /* legacy BE32 images store every word big-endian */
};

static uint32_t zword(const struct zreader *r, size_t off)
{
	return r->big ? kbx_be32(r->d + off) : kbx_le32(r->d + off);
}

/* The KLSZ tag: where the decompressed size word sits (the payload ends
 * there), and the sizes the decompressor needs. */
static int read_klsz(struct kbx_image *img, const struct zreader *r,
		     uint32_t table, uint32_t image_len, struct kbx_err *err)
{
	size_t pos = table;

	if (table % 4 || table < 0x40 || table > image_len - 8)
		return kbx_fail(err, img->path,
				"zImage extension table offset %#x is outside "
				"the image (%u bytes) or unaligned",
				table, image_len);
	for (;;) {
		uint32_t words, tag, piggy;

		if (pos + 4 > image_len)
			return kbx_fail(err, img->path,
					"zImage extension table at %#x runs "
					"past the image end",
					table);
		words = zword(r, pos);
		if (words == 0)
			return 0; /* no KLSZ: payload end unknown */
		if (words < 2 || words > (image_len - pos) / 4)
			return kbx_fail(err, img->path,
					"zImage extension tag at %#zx claims "
					"%u words, past the image end",
					pos, words);
		tag = zword(r, pos + 4);
		if (tag == KLSZ_TAG && words >= 3) {
			piggy = zword(r, pos + 8);
			if (piggy < 0x40 || piggy > image_len - 4)
				return kbx_fail(err, img->path,
						"zImage size word offset %#x "
						"is outside the image (%u "
						"bytes): payload cut?",
						piggy, image_len);
			/* always little-endian, unaligned */
			img->payload_size = kbx_le32(img->data + piggy);
			img->payload_from = table;
			img->payload_to = piggy + 4;
			return 0;
		}
		pos += (size_t)words * 4;
	}
}

int kbx_zimage_parse(struct kbx_image *img, struct kbx_err *err)
{
	struct zreader r = { img->data, 0 };
	uint32_t start, end, image_len;

	if (kbx_le32(img->data + 0x24) != ZIMAGE_MAGIC)
		r.big = 1;
	start = zword(&r, 0x28);
	end = zword(&r, 0x2C);
	img->arch = "arm";
	img->bits = 32;
	img->endian = zword(&r, 0x30) == ZIMAGE_ENDIAN ? 'l' : 'b';
	if (r.big)
		img->endian = 'b';
	img->efi_stub = img->data[0] == 'M' && img->data[1] == 'Z';
	img->has_load = 1;
	img->load = img->entry = start;
	if (end <= start)
		return kbx_fail(err, img->path,
				"zImage end %#x is not above its start %#x",
				end, start);
	image_len = end - start;
	img->size = image_len;
	if (image_len > img->len)
		return kbx_fail(err, img->path,
				"zImage is truncated: its header says %u "
				"bytes, "
				"the file has %zu",
				image_len, img->len);
	if (image_len < 0x40)
		return kbx_fail(err, img->path,
				"zImage of %u bytes is too short", image_len);
	if (zword(&r, 0x34) == ZIMAGE_TABLE &&
	    read_klsz(img, &r, zword(&r, 0x38), image_len, err))
		return -1;
	if (!img->payload_to) { /* pre-4.x: search the whole image */
		img->payload_from = 0x40;
		img->payload_to = image_len;
	}
	return 0;
}
