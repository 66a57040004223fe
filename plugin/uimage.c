/* U-Boot legacy uImage (include/image.h, struct legacy_img_hdr): the 64-byte
 * big-endian header, its two CRCs (zlib's crc32) and multi-file images. */
#include <string.h>
#include <zlib.h>

#include "kbx.h"

#define UIMAGE_MAGIC 0x27051956u
#define UIMAGE_HDR 64
#define IH_TYPE_MULTI 4
#define IH_TYPE_SCRIPT 6

static const char *const uboot_os[] = {
	"invalid",  "openbsd",
	"netbsd",   "freebsd",
	"4.4bsd",   "linux",
	"svr4",	    "esix",
	"solaris",  "irix",
	"sco",	    "dell",
	"ncr",	    "lynxos",
	"vxworks",  "psos",
	"qnx",	    "u-boot",
	"rtems",    "artos",
	"unity",    "integrity",
	"ose",	    "plan9",
	"openrtos", "arm-trusted-firmware",
	"tee",	    "opensbi",
	"efi",	    "elf",
};

static const char *const uboot_types[] = {
	"invalid",	"standalone", "kernel",	       "ramdisk",
	"multi",	"firmware",   "script",	       "filesystem",
	"flat_dt",	"kwbimage",   "imx",	       "ubl",
	"omap",		"ais",	      "kernel_noload", "pbl",
	"mxs",		"gp",	      "atmel",	       "socfpga",
	"x86_setup",	"lpc32xx",    "loadable",      "rkimage",
	"rksd",		"rkspi",      "zynq",	       "zynqmp",
	"zynqmpbif",	"fpga",	      "vybrid",	       "tee",
	"firmware_ivt", "pmmc",	      "stm32",	       "socfpga_v1",
	"mtk",		"imx8m",      "imx8",	       "copro",
	"sunxi_egon",	"sunxi_toc0", "fdt_legacy",    "renesas_spkg",
	"starfive_spl", "tfa_bl31",   "stm32_v2",      "amlimage",
};

static const char *const uboot_comps[] = {
	"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd",
};

#define TABLE_NAME(t, i) ((i) < sizeof(t) / sizeof((t)[0]) ? (t)[i] : NULL)

static uint32_t header_crc(const unsigned char *hdr)
{
	unsigned char copy[UIMAGE_HDR];

	memcpy(copy, hdr, sizeof(copy));
	memset(copy + 4, 0, 4);
	return (uint32_t)crc32(0, copy, sizeof(copy));
}

/* Multi-file and script images: BE sizes ended by 0, then the images,
 * each padded to 4 bytes but the last. The first image is the kernel. */
static int parse_multi(struct kbx_image *img, uint32_t data_len,
		       struct kbx_err *err)
{
	const unsigned char *d = img->data + UIMAGE_HDR;
	size_t n = 0, pos, total = 0, first = 0;

	while (1) {
		uint32_t sz;

		if ((n + 1) * 4 > data_len)
			return kbx_fail(err, img->path,
					"multi-file uImage: the size table "
					"runs past the data (%u bytes)",
					data_len);
		sz = kbx_be32(d + n * 4);
		if (sz == 0)
			break;
		if (n == 0)
			first = sz;
		total += ((size_t)sz + 3) & ~(size_t)3;
		n++;
		if (total > data_len)
			return kbx_fail(err, img->path,
					"multi-file uImage: image %zu ends "
					"past the data (%u bytes)",
					n, data_len);
	}
	pos = (n + 1) * 4;
	if (pos + first > data_len)
		return kbx_fail(err, img->path,
				"multi-file uImage: images overrun the data");
	img->inner_off = UIMAGE_HDR + pos;
	img->inner_len = first;
	return 0;
}

int kbx_uimage_parse(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *h = img->data;
	uint32_t data_len = kbx_be32(h + 0x0C);
	size_t name_len;

	img->has_load = 1;
	img->load = kbx_be32(h + 0x10);
	img->entry = kbx_be32(h + 0x14);
	img->has_crc = 1;
	img->crc = kbx_be32(h + 0x18);
	img->os = TABLE_NAME(uboot_os, h[0x1C]);
	img->arch = kbx_arch_from_uboot(h[0x1D]);
	img->bits =
		img->arch && (!strcmp(img->arch, "arm64") || h[0x1D] == 24 ||
			      h[0x1D] == 6 || h[0x1D] == 11)
			? 64
		: img->arch ? 32
			    : 0;
	img->endian = 'b'; /* of the header; the kernel inside says its own */
	img->type = TABLE_NAME(uboot_types, h[0x1E]);
	img->has_comp = 1;
	if (kbx_comp_from_name(TABLE_NAME(uboot_comps, h[0x1F])
				       ? TABLE_NAME(uboot_comps, h[0x1F])
				       : "?",
			       &img->comp))
		return kbx_fail(err, img->path,
				"uImage: unknown compression %u", h[0x1F]);
	name_len = kbx_strnlen((const char *)h + 0x20, 32);
	memcpy(img->name, h + 0x20, name_len);
	img->name[name_len] = '\0';
	img->size = (uint64_t)UIMAGE_HDR + data_len;
	if (header_crc(h) != kbx_be32(h + 4))
		return kbx_fail(err, img->path,
				"uImage header CRC mismatch (stored 0x%08x, "
				"computed 0x%08x)",
				kbx_be32(h + 4), header_crc(h));
	if (data_len > img->len - UIMAGE_HDR)
		return kbx_fail(err, img->path,
				"uImage is truncated: the header says %u data "
				"bytes, the file has %zu",
				data_len, img->len - UIMAGE_HDR);
	if (h[0x1E] == IH_TYPE_MULTI || h[0x1E] == IH_TYPE_SCRIPT)
		return parse_multi(img, data_len, err);
	img->inner_off = UIMAGE_HDR;
	img->inner_len = data_len;
	if (img->comp != KBX_COMP_NONE) {
		img->payload_off = UIMAGE_HDR;
		img->payload_len = data_len;
	}
	return 0;
}

int kbx_uimage_verify(struct kbx_image *img, struct kbx_err *err)
{
	uint32_t data_len = (uint32_t)(img->size - UIMAGE_HDR);
	uint32_t crc = (uint32_t)crc32(0, img->data + UIMAGE_HDR, data_len);

	if (crc != img->crc)
		return kbx_fail(err, img->path,
				"uImage data CRC mismatch (stored 0x%08x, "
				"computed 0x%08x over %u bytes)",
				img->crc, crc, data_len);
	return 0;
}
