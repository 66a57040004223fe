/* x86 bzImage (Documentation/x86/boot.rst, arch/x86/boot/header.S and
 * tools/build.c): the setup header, the compressed vmlinux it carries and
 * the CRC that older kernels append. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "kbx.h"

#define XLF_KERNEL_64 0x01

static size_t setup_len(const struct kbx_image *img)
{
	unsigned sects = img->data[0x1F1];

	return ((size_t)(sects ? sects : 4) + 1) * 512;
}

static int writes_crc(struct kbx_image *img);

int kbx_bzimage_parse(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *h = img->data;
	unsigned version = kbx_le16(h + 0x206);
	size_t setup = setup_len(img), body;
	uint32_t poff, plen;

	img->arch = "x86";
	img->endian = 'l';
	img->bits = 32;
	if (img->len < 0x250) /* through payload_offset and _length */
		return kbx_fail(err, img->path,
				"bzImage is truncated: %zu bytes, less than "
				"its setup header",
				img->len);
	if (version >= 0x020C && (h[0x236] & XLF_KERNEL_64))
		img->bits = 64;
	if (h[0x200] != 0xEB)
		return kbx_fail(err, img->path,
				"bzImage: no jump at 0x200 (setup header "
				"damaged)");
	if (version < 0x0208)
		return kbx_fail(err, img->path,
				"bzImage: boot protocol %u.%02u is older than "
				"2.08 (no payload fields)",
				version >> 8, version & 0xff);
	if (setup > img->len)
		return kbx_fail(err, img->path,
				"bzImage is truncated: %zu setup bytes, the "
				"file has %zu",
				setup, img->len);
	body = (size_t)kbx_le32(h + 0x1F4) * 16;
	img->size = setup + body;
	if (body > img->len - setup)
		return kbx_fail(err, img->path,
				"bzImage is truncated: syssize says %zu bytes, "
				"the file has %zu",
				setup + body, img->len);
	poff = kbx_le32(h + 0x248);
	plen = kbx_le32(h + 0x24C);
	if (plen < 4 || poff > body || plen > body - poff)
		return kbx_fail(err, img->path,
				"bzImage: payload [%#x, +%u] lies outside the "
				"protected-mode code (%zu bytes)",
				poff, plen, body);
	/* the payload ends with its LE inflated size (size_append) */
	img->payload_off = setup + poff;
	img->payload_len = plen;
	img->payload_size = kbx_le32(h + setup + poff + plen - 4);
	img->has_comp = 1;
	img->comp = kbx_comp_sniff(h + img->payload_off, plen);
	if (img->comp == KBX_COMP_NONE)
		return kbx_fail(err, img->path,
				"bzImage: payload at %#zx has no known "
				"compression magic",
				img->payload_off);
	if (img->size == img->len && writes_crc(img)) {
		img->has_crc = 1;
		img->crc = kbx_le32(h + img->len - 4);
	}
	return 0;
}

/* Kernels before 6.7 end the body with a CRC-32 of everything before it,
 * stored without the final inversion (tools/build.c), that is ~zlib's. A
 * signed image (bytes after the body) must have its PE checksum and
 * certificate entry zeroed first: only unsigned images are checked. */
static int writes_crc(struct kbx_image *img)
{
	struct kbx_out rel;
	unsigned major = 0, minor = 0;
	int known;

	kbx_out_init(&rel);
	known = kbx_bzimage_release(img, &rel) == 1 &&
		sscanf(kbx_out_str(&rel), "%u.%u", &major, &minor) == 2;
	kbx_out_free(&rel);
	return !known || major < 6 || (major == 6 && minor < 7);
}

int kbx_bzimage_verify(struct kbx_image *img, struct kbx_err *err)
{
	size_t end = (size_t)img->size;
	uint32_t crc;

	if (!img->has_crc)
		return 0;
	crc = ~(uint32_t)crc32(0, img->data, (uInt)(end - 4));
	if (crc != img->crc)
		return kbx_fail(err, img->path,
				"bzImage CRC mismatch (stored 0x%08x, computed "
				"0x%08x)",
				img->crc, crc);
	return 0;
}

/* The kernel_version string in the setup code: the release without
 * inflating anything. 1 when found. */
int kbx_bzimage_release(struct kbx_image *img, struct kbx_out *out)
{
	size_t setup = setup_len(img),
	       off = (size_t)kbx_le16(img->data + 0x20E) + 0x200;
	size_t n;

	if (off >= setup || off >= img->len || kbx_le16(img->data + 0x20E) == 0)
		return 0;
	n = kbx_strnlen((const char *)img->data + off, setup - off);
	if (n == setup - off)
		return 0;
	n = strcspn((const char *)img->data + off, " ");
	if (n == 0)
		return 0;
	kbx_out_put(out, (const char *)img->data + off, n);
	return 1;
}
