/* The arm64 and RISC-V Image headers (Documentation/arm64/booting.rst,
 * Documentation/riscv/boot-image-header.rst) and the EFI zboot wrapper
 * (drivers/firmware/efi/libstub/zboot-header.S). */
#include <string.h>

#include "kbx.h"

#define ARM64_MAGIC 0x644D5241u /* "ARM\x64" */
#define RISCV_MAGIC2 0x05435352u /* "RSC\x05" */
#define PE_MACHINE_ARM64 0xAA64u
#define PE_MACHINE_RISCV64 0x5064u
#define PE_MACHINE_LOONGARCH64 0x6264u

/* "MZ" promises a PE header at the offset in 0x3C; its machine field is
 * returned in *MACHINE (0 without the EFI stub). */
static int read_pe(struct kbx_image *img, unsigned *machine,
		   struct kbx_err *err)
{
	uint32_t pe = kbx_le32(img->data + 0x3C);

	*machine = 0;
	if (img->data[0] != 'M' || img->data[1] != 'Z')
		return 0;
	img->efi_stub = 1;
	if (pe < 0x40 || pe > img->len - 6 || pe % 8)
		return kbx_fail(err, img->path,
				"EFI stub: PE header offset %#x is outside the "
				"file (%zu bytes)",
				pe, img->len);
	if (memcmp(img->data + pe, "PE\0\0", 4) != 0)
		return kbx_fail(err, img->path,
				"EFI stub: no PE signature at %#x", pe);
	*machine = (unsigned)img->data[pe + 4] | (unsigned)img->data[pe + 5]
							 << 8;
	return 0;
}

static int check_pe(struct kbx_image *img, unsigned want, struct kbx_err *err)
{
	unsigned got;

	if (read_pe(img, &got, err))
		return -1;
	if (got && got != want)
		return kbx_fail(err, img->path,
				"EFI stub: PE machine %#x, expected %#x for %s",
				got, want, img->arch);
	return 0;
}

static int parse_riscv(struct kbx_image *img, struct kbx_err *err)
{
	img->arch = "riscv";
	img->bits = 64;
	img->endian = kbx_le64(img->data + 0x18) & 1 ? 'b' : 'l';
	img->has_arm64_header = 1;
	img->text_offset = kbx_le64(img->data + 0x08);
	img->image_size = kbx_le64(img->data + 0x10);
	img->page_size = 4096;
	img->size = img->len;
	return check_pe(img, PE_MACHINE_RISCV64, err);
}

int kbx_armimage_parse(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *h = img->data;
	uint64_t flags;
	size_t i;

	if (kbx_le32(h + 0x38) == RISCV_MAGIC2)
		return parse_riscv(img, err);
	img->arch = "arm64";
	img->bits = 64;
	img->has_arm64_header = 1;
	img->text_offset = kbx_le64(h + 0x08);
	img->image_size = kbx_le64(h + 0x10);
	flags = kbx_le64(h + 0x18);
	img->size = img->len;
	img->endian = flags & 1 ? 'b' : 'l';
	if (img->image_size == 0) { /* before v3.17 */
		img->text_offset = 0x80000;
		img->page_size = 4096;
		return check_pe(img, PE_MACHINE_ARM64, err);
	}
	switch ((flags >> 1) & 3) {
	case 1:
		img->page_size = 4096;
		break;
	case 2:
		img->page_size = 16384;
		break;
	case 3:
		img->page_size = 65536;
		break;
	default:
		img->page_size = 0; /* unspecified */
	}
	for (i = 0x20; i < 0x38; i++)
		if (h[i])
			return kbx_fail(err, img->path,
					"arm64 Image: reserved header byte "
					"%#zx is not zero",
					i);
	if (check_pe(img, PE_MACHINE_ARM64, err))
		return -1;
	/* The file may carry an appended signature; the loaded part may not
	 * exceed image_size, and a file far shorter than the text is cut. */
	if (img->len < 4096)
		return kbx_fail(err, img->path,
				"arm64 Image is truncated: %zu bytes, "
				"image_size "
				"%llu",
				img->len, (unsigned long long)img->image_size);
	if (img->image_size < 4096)
		return kbx_fail(err, img->path,
				"arm64 Image: image_size %llu is too small",
				(unsigned long long)img->image_size);
	return 0;
}

int kbx_zboot_parse(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *h = img->data;
	uint32_t off = kbx_le32(h + 0x08), len = kbx_le32(h + 0x0C);
	unsigned machine;
	char name[9];

	memcpy(name, h + 0x18, 8);
	name[8] = '\0';
	img->size = img->len;
	img->efi_stub = 1;
	if (strcmp(name, "xzkern") == 0)
		strcpy(name, "xz");
	else if (strncmp(name, "zstd", 4) == 0)
		strcpy(name, "zstd");
	img->has_comp = 1;
	if (kbx_comp_from_name(name, &img->comp))
		return kbx_fail(err, img->path,
				"zboot: unknown compression \"%.8s\"",
				(const char *)h + 0x18);
	if (off > img->len || len > img->len - off || len == 0)
		return kbx_fail(err, img->path,
				"zboot: payload [%#x, +%u] runs past the end "
				"of the file (%zu bytes)",
				off, len, img->len);
	img->payload_off = off;
	img->payload_len = len;
	if (read_pe(img, &machine, err))
		return -1;
	img->arch = machine == PE_MACHINE_ARM64		? "arm64"
		    : machine == PE_MACHINE_RISCV64	? "riscv"
		    : machine == PE_MACHINE_LOONGARCH64 ? "loongarch"
							: NULL;
	img->bits = img->arch ? 64 : 0;
	img->endian = img->arch ? 'l' : 0;
	return 0;
}
