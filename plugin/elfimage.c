/* ELF artifacts: vmlinux, kernel modules and plain ELF files, read with
 * libelf; a module is also checked for what the loader needs. */
#include <string.h>

#include "kbx.h"

static int open_elf(struct kbx_image *img, struct kbx_elf **elf,
		    struct kbx_err *err)
{
	struct kbx_map map = { img->data, img->len, { 0, 0, 0, 0 } };

	*elf = kbx_elf_open(img->path, &map, err);
	return *elf ? 0 : -1;
}

int kbx_elfimage_parse(struct kbx_image *img, struct kbx_err *err)
{
	struct kbx_elf *elf;

	if (open_elf(img, &elf, err))
		return -1;
	img->bits = kbx_elf_class_bits(elf);
	img->endian = kbx_elf_big_endian(elf) ? 'b' : 'l';
	img->arch = kbx_arch_from_elf(kbx_elf_machine(elf), img->bits);
	img->size = img->len;
	if (img->format != KBX_FMT_KO) {
		img->has_load = 1;
		img->load = img->entry = kbx_elf_entry(elf);
	}
	kbx_elf_close(elf);
	return 0;
}

/* Every section's bytes must lie inside the file. */
static int check_sections(struct kbx_image *img, struct kbx_err *err)
{
	struct kbx_elf *elf;
	size_t i, n;
	int rc = 0;

	if (open_elf(img, &elf, err))
		return -1;
	n = kbx_elf_section_count(elf);
	for (i = 1; i < n && rc == 0; i++) {
		const unsigned char *d;
		size_t len;

		rc = kbx_elf_section_at(elf, i, &d, &len, err);
	}
	kbx_elf_close(elf);
	return rc;
}

static int verify_module(struct kbx_image *img, struct kbx_err *err)
{
	struct kbx_modsig sig;
	struct kbx_ko *ko;
	int rc = 0;

	if (kbx_modsig_read(img->path, img->data, img->len, &sig, err))
		return -1;
	ko = kbx_ko_parse(img->path, img->data, sig.elf_len, err);
	if (!ko)
		return -1;
	if (!ko->has_modinfo)
		rc = kbx_fail(err, img->path,
			      "module without .modinfo (not built by modpost)");
	else if (!ko->vermagic[0])
		rc = kbx_fail(err, img->path, "module without a vermagic");
	kbx_ko_free(ko);
	return rc;
}

int kbx_elfimage_verify(struct kbx_image *img, struct kbx_err *err)
{
	char release[2];

	if (check_sections(img, err))
		return -1;
	if (img->format == KBX_FMT_KO)
		return verify_module(img, err);
	if (img->format == KBX_FMT_VMLINUX &&
	    !kbx_banner_find(img->data, img->len, 0, release, sizeof(release)))
		return kbx_fail(err, img->path, "vmlinux without a banner");
	return 0;
}

struct banner_sym {
	uint16_t shndx;
	uint64_t value, size;
	int found;
};

static int find_linux_banner(void *ctx, const struct kbx_elf_sym *sym)
{
	struct banner_sym *b = ctx;

	if (strcmp(sym->name, "linux_banner") != 0 || sym->shndx == 0)
		return 0;
	b->shndx = sym->shndx;
	b->value = sym->value;
	b->size = sym->size;
	b->found = 1;
	return 1;
}

/* The symbol's bytes: file offset = sh_offset + st_value - sh_addr. */
int kbx_elfimage_banner(struct kbx_image *img, char *release, size_t size)
{
	struct banner_sym b = { 0, 0, 0, 0 };
	const unsigned char *sec;
	struct kbx_elf *elf;
	struct kbx_err err;
	size_t len;
	uint64_t addr, off;
	int found = 0;

	if (open_elf(img, &elf, &err))
		return 0;
	if (kbx_elf_each_sym(elf, find_linux_banner, &b, &err) >= 0 &&
	    b.found &&
	    kbx_elf_section_at(elf, b.shndx, &sec, &len, &err) == 0 && sec) {
		addr = kbx_elf_section_addr(elf, b.shndx);
		off = b.value - addr;
		if (b.value >= addr && off < len)
			found = kbx_banner_find(
				sec + off, len - off < 512 ? len - off : 512, 0,
				release, size);
	}
	kbx_elf_close(elf);
	return found;
}
