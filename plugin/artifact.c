/* Kernel artifacts: telling the format from the first bytes, dispatching
 * to the format's parser, and the fields, verification and release that
 * every format shares. */
#include <elf.h>
#include <string.h>
#include <strings.h>

#include "kbx.h"

static const char *const format_names[] = {
	[KBX_FMT_MISSING] = "missing", [KBX_FMT_UNKNOWN] = "unknown",
	[KBX_FMT_VMLINUX] = "vmlinux", [KBX_FMT_KO] = "ko",
	[KBX_FMT_ELF] = "elf",	       [KBX_FMT_ZIMAGE] = "zImage",
	[KBX_FMT_UIMAGE] = "uImage",   [KBX_FMT_FIT] = "fit",
	[KBX_FMT_IMAGE] = "Image",     [KBX_FMT_IMAGE_GZ] = "Image.gz",
	[KBX_FMT_ZBOOT] = "zboot",     [KBX_FMT_BZIMAGE] = "bzImage",
	[KBX_FMT_DTB] = "dtb",	       [KBX_FMT_GZIP] = "gzip",
	[KBX_FMT_XZ] = "xz",	       [KBX_FMT_ZSTD] = "zstd",
	[KBX_FMT_LZ4] = "lz4",
};

size_t kbx_payload_max = KBX_PAYLOAD_MAX;

const char *kbx_format_name(enum kbx_format fmt)
{
	return format_names[fmt];
}

/* ---- architectures -------------------------------------------------------- */

const char *kbx_arch_from_elf(unsigned machine, int bits)
{
	switch (machine) {
	case EM_386:
	case EM_X86_64:
		return "x86";
	case EM_ARM:
		return "arm";
	case EM_AARCH64:
		return "arm64";
	case EM_RISCV:
		return "riscv";
	case EM_MIPS:
		return "mips";
	case EM_PPC:
	case EM_PPC64:
		return "powerpc";
	case EM_S390:
		return "s390";
	case 258: /* EM_LOONGARCH, newer than some elf.h */
		return "loongarch";
	case EM_SPARC:
	case EM_SPARCV9:
		return "sparc";
	case EM_SH:
		return "sh";
	case EM_68K:
		return "m68k";
	case EM_MICROBLAZE:
		return "microblaze";
	case EM_ALTERA_NIOS2:
		return "nios2";
	case EM_ARCV2:
	case EM_ARC_COMPACT:
		return "arc";
	case EM_XTENSA:
		return "xtensa";
	case EM_OPENRISC:
		return "openrisc";
	case EM_PARISC:
		return "parisc";
	case EM_ALPHA:
		return "alpha";
	case EM_IA_64:
		return "ia64";
	case EM_CSKY:
		return "csky";
	}
	(void)bits;
	return NULL;
}

/* U-Boot's ih_arch numbers (include/image.h); only appended upstream. */
static const char *const uboot_arches[] = {
	[1] = "alpha",	   [2] = "arm",		[3] = "x86",
	[4] = "ia64",	   [5] = "mips",	[6] = "mips",
	[7] = "powerpc",   [8] = "s390",	[9] = "sh",
	[10] = "sparc",	   [11] = "sparc",	[12] = "m68k",
	[13] = "nios",	   [14] = "microblaze", [15] = "nios2",
	[16] = "blackfin", [17] = "avr32",	[18] = "st200",
	[19] = "sandbox",  [20] = "nds32",	[21] = "openrisc",
	[22] = "arm64",	   [23] = "arc",	[24] = "x86",
	[25] = "xtensa",   [26] = "riscv",
};

const char *kbx_arch_from_uboot(unsigned id)
{
	return id < sizeof(uboot_arches) / sizeof(uboot_arches[0])
		       ? uboot_arches[id]
		       : NULL;
}

/* What users type for ARCH, SRCARCH, uname -m or a triple's first part. */
const char *kbx_arch_normalise(const char *arch)
{
	static const struct {
		const char *alias, *arch;
	} aliases[] = {
		{ "aarch64", "arm64" },	  { "aarch64_be", "arm64" },
		{ "x86_64", "x86" },	  { "i386", "x86" },
		{ "i686", "x86" },	  { "amd64", "x86" },
		{ "armhf", "arm" },	  { "armel", "arm" },
		{ "riscv64", "riscv" },	  { "riscv32", "riscv" },
		{ "ppc", "powerpc" },	  { "ppc64", "powerpc" },
		{ "ppc64le", "powerpc" }, { "mips64", "mips" },
		{ "mipsel", "mips" },	  { "s390x", "s390" },
		{ "sparc64", "sparc" },	  { "loongarch64", "loongarch" },
	};
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(arch, aliases[i].alias) == 0)
			return aliases[i].arch;
	if (strncmp(arch, "arm", 3) == 0 && strcmp(arch, "arm64") != 0)
		return "arm"; /* armv7l, armv5tel, ... */
	return arch;
}

/* ---- identification ------------------------------------------------------- */

/* An ELF: a module when it carries .modinfo or the module struct, a
 * vmlinux when it carries a Linux banner; libelf decides. */
static enum kbx_format identify_elf(const unsigned char *data, size_t len)
{
	struct kbx_map map = { data, len, { 0, 0, 0, 0 } };
	struct kbx_elf *elf;
	struct kbx_err err;
	const unsigned char *sec;
	size_t sec_len;
	enum kbx_format fmt = KBX_FMT_ELF;
	char rel[2];

	elf = kbx_elf_open("", &map, &err);
	if (!elf)
		return KBX_FMT_ELF;
	if (kbx_elf_type(elf) == ET_REL &&
	    ((kbx_elf_section(elf, ".modinfo", &sec, &sec_len, &err) == 0 &&
	      sec) ||
	     (kbx_elf_section(elf, ".gnu.linkonce.this_module", &sec, &sec_len,
			      &err) == 0 &&
	      sec)))
		fmt = KBX_FMT_KO;
	else if (kbx_elf_type(elf) != ET_REL &&
		 kbx_elf_section(elf, ".rodata", &sec, &sec_len, &err) == 0 &&
		 sec && kbx_banner_find(sec, sec_len, 0, rel, sizeof(rel)))
		fmt = KBX_FMT_VMLINUX;
	kbx_elf_close(elf);
	return fmt;
}

/* Image.gz is gzip whose first 64 inflated bytes are an arm64 header. */
static int stop_after_header(void *ctx, const unsigned char *buf, size_t len,
			     size_t from)
{
	(void)ctx, (void)buf, (void)from;
	return len >= 64;
}

static int gzip_holds_image(const unsigned char *data, size_t len)
{
	struct kbx_inflate res = { 0 };
	struct kbx_err err;
	int is_image;

	kbx_decompress(KBX_COMP_GZIP, data, len, 4096, stop_after_header, NULL,
		       &res, "", &err);
	is_image = res.len >= 64 && (kbx_le32(res.buf + 0x38) == 0x644D5241u ||
				     kbx_le32(res.buf + 0x38) == 0x05435352u);
	kbx_inflate_free(&res);
	return is_image;
}

enum kbx_format kbx_identify(const unsigned char *data, size_t len)
{
	if (len >= 4 && kbx_is_elf(data, len))
		return identify_elf(data, len);
	if (len >= 40 && kbx_be32(data) == 0xD00DFEEDu)
		return kbx_dtb_has_node(data, len, "/images") ? KBX_FMT_FIT
							      : KBX_FMT_DTB;
	if (len >= 64 && kbx_be32(data) == 0x27051956u)
		return KBX_FMT_UIMAGE;
	if (len >= 64 && data[0] == 'M' && data[1] == 'Z' &&
	    memcmp(data + 4, "zimg", 4) == 0)
		return KBX_FMT_ZBOOT;
	if (len >= 0x40 && (kbx_le32(data + 0x24) == 0x016F2818u ||
			    kbx_be32(data + 0x24) == 0x016F2818u))
		return KBX_FMT_ZIMAGE;
	if (len >= 64 && (kbx_le32(data + 0x38) == 0x644D5241u ||
			  kbx_le32(data + 0x38) == 0x05435352u))
		return KBX_FMT_IMAGE;
	if (len >= 0x210 && data[0x1FE] == 0x55 && data[0x1FF] == 0xAA &&
	    memcmp(data + 0x202, "HdrS", 4) == 0)
		return KBX_FMT_BZIMAGE;
	switch (kbx_comp_sniff(data, len)) {
	case KBX_COMP_GZIP:
		return gzip_holds_image(data, len) ? KBX_FMT_IMAGE_GZ
						   : KBX_FMT_GZIP;
	case KBX_COMP_XZ:
		return KBX_FMT_XZ;
	case KBX_COMP_ZSTD:
		return KBX_FMT_ZSTD;
	case KBX_COMP_LZ4:
		return KBX_FMT_LZ4;
	default:
		return KBX_FMT_UNKNOWN;
	}
}

/* ---- parsing -------------------------------------------------------------- */

/* A bare compressed file: the whole file is the payload. */
static int parse_compressed(struct kbx_image *img, struct kbx_err *err)
{
	img->has_comp = 1;
	img->comp = kbx_comp_sniff(img->data, img->len);
	img->payload_off = 0;
	img->payload_len = img->len;
	img->size = img->len;
	if (img->format == KBX_FMT_IMAGE_GZ) {
		img->arch = "arm64";
		img->bits = 64;
	}
	/* gzip's trailer holds the inflated size modulo 2^32 */
	if (img->comp == KBX_COMP_GZIP && img->len >= 18)
		img->payload_size = kbx_le32(img->data + img->len - 4);
	(void)err;
	return 0;
}

int kbx_image_parse(const char *path, const unsigned char *data, size_t len,
		    struct kbx_image *img, struct kbx_err *err)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	img->data = data;
	img->len = len;
	img->format = kbx_identify(data, len);
	switch (img->format) {
	case KBX_FMT_VMLINUX:
	case KBX_FMT_KO:
	case KBX_FMT_ELF:
		return kbx_elfimage_parse(img, err);
	case KBX_FMT_ZIMAGE:
		return kbx_zimage_parse(img, err);
	case KBX_FMT_UIMAGE:
		return kbx_uimage_parse(img, err);
	case KBX_FMT_FIT:
		return kbx_fit_parse(img, err);
	case KBX_FMT_IMAGE:
		return kbx_armimage_parse(img, err);
	case KBX_FMT_ZBOOT:
		return kbx_zboot_parse(img, err);
	case KBX_FMT_BZIMAGE:
		return kbx_bzimage_parse(img, err);
	case KBX_FMT_DTB:
		return kbx_dtb_parse(img, err);
	case KBX_FMT_IMAGE_GZ:
	case KBX_FMT_GZIP:
	case KBX_FMT_XZ:
	case KBX_FMT_ZSTD:
	case KBX_FMT_LZ4:
		return parse_compressed(img, err);
	case KBX_FMT_MISSING:
		break;
	case KBX_FMT_UNKNOWN:
		if (len == 0)
			return kbx_fail(err, path, "empty file");
		return kbx_fail(err, path,
				"not a kernel artifact (unknown format)");
	}
	return kbx_fail(err, path, "missing");
}

/* An artifact nested in another (uImage data, FIT image): parsed as a
 * file of its own, its problems named after the outer file. */
int kbx_image_parse_inner(const struct kbx_image *img, struct kbx_image *inner,
			  struct kbx_err *err)
{
	const unsigned char *d = img->data + img->inner_off;

	if (img->depth >= 3)
		return kbx_fail(err, img->path, "artifacts nested too deep");
	if (kbx_identify(d, img->inner_len) == KBX_FMT_UNKNOWN)
		return 1;
	if (kbx_image_parse(img->path, d, img->inner_len, inner, err))
		return -1;
	inner->depth = img->depth + 1;
	return 0;
}

/* ---- the payload ---------------------------------------------------------- */

static int inflate_at(struct kbx_image *img, size_t off, size_t len,
		      enum kbx_comp comp, kbx_inflate_stop_fn stop, void *ctx,
		      struct kbx_inflate *res, struct kbx_err *err)
{
	int rc = kbx_decompress(comp, img->data + off, len, kbx_payload_max,
				stop, ctx, res, img->path, err);

	if (rc == 0 && img->payload_size &&
	    (img->comp == KBX_COMP_GZIP
		     ? (uint32_t)res->len != (uint32_t)img->payload_size
		     : res->len != img->payload_size))
		return kbx_fail(err, img->path,
				"%s payload inflates to %zu bytes, the header "
				"promises %llu",
				kbx_comp_name(comp), res->len,
				(unsigned long long)img->payload_size);
	return rc;
}

/* A zImage records where its payload ends, not where it starts, and its
 * decompressor holds decoy magics: the right candidate is the one that
 * inflates (to the promised size when the whole stream is wanted). */
static int locate_and_inflate(struct kbx_image *img, kbx_inflate_stop_fn stop,
			      void *ctx, struct kbx_inflate *res,
			      struct kbx_err *err)
{
	size_t pos = img->payload_from, to = img->payload_to, n = 0;
	size_t best_len = 0;
	struct kbx_err best = { { 0 } };
	int rc;

	/* the real payload follows a handful of decoys: stop at 64 */
	for (; n < 64 && (pos = kbx_comp_next(img->data, pos, to)) < to;
	     pos++, n++) {
		enum kbx_comp comp = kbx_comp_sniff(img->data + pos, to - pos);
		struct kbx_err cand_err;

		img->comp = comp;
		rc = inflate_at(img, pos, to - pos, comp, stop, ctx, res,
				&cand_err);
		if (rc >= 0 && res->len > 0) {
			img->has_comp = 1;
			img->payload_off = pos;
			img->payload_len = to - pos;
			return rc;
		}
		/* the candidate that got furthest is the real, damaged one */
		if (res->len > best_len) {
			best_len = res->len;
			best = cand_err;
		}
		kbx_inflate_free(res);
	}
	img->comp = KBX_COMP_NONE;
	if (best_len)
		return kbx_fail(err, NULL, "%s", best.msg);
	return kbx_fail(err, img->path,
			"no compressed payload found before offset %#zx "
			"(%zu candidates tried): cut or corrupt",
			to, n);
}

int kbx_image_inflate(struct kbx_image *img, kbx_inflate_stop_fn stop,
		      void *ctx, struct kbx_inflate *res, struct kbx_err *err)
{
	memset(res, 0, sizeof(*res));
	if (img->payload_len)
		return inflate_at(img, img->payload_off, img->payload_len,
				  img->comp, stop, ctx, res, err);
	if (img->payload_to)
		return locate_and_inflate(img, stop, ctx, res, err);
	return kbx_fail(err, img->path, "%s has no compressed payload",
			kbx_format_name(img->format));
}

/* ---- the release ---------------------------------------------------------- */

struct banner_ctx {
	char release[128];
};

static int stop_at_banner(void *ctx, const unsigned char *buf, size_t len,
			  size_t from)
{
	struct banner_ctx *b = ctx;

	return kbx_banner_find(buf, len, from, b->release, sizeof(b->release));
}

static int release_from_payload(struct kbx_image *img, struct kbx_out *out,
				struct kbx_err *err)
{
	struct banner_ctx b;
	struct kbx_inflate res;
	int rc = kbx_image_inflate(img, stop_at_banner, &b, &res, err);

	kbx_inflate_free(&res);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return kbx_fail(err, img->path,
				"no \"Linux version\" banner in the %s payload",
				kbx_comp_name(img->comp));
	kbx_out_puts(out, b.release);
	return 0;
}

static int release_from_bytes(struct kbx_image *img, struct kbx_out *out,
			      struct kbx_err *err)
{
	char release[128];

	if (!kbx_banner_find(img->data, img->len, 0, release, sizeof(release)))
		return kbx_fail(err, img->path,
				"no \"Linux version\" banner in the %s",
				kbx_format_name(img->format));
	kbx_out_puts(out, release);
	return 0;
}

int kbx_image_release(struct kbx_image *img, struct kbx_out *out,
		      struct kbx_err *err)
{
	struct kbx_image inner;

	switch (img->format) {
	case KBX_FMT_KO: {
		struct kbx_ko *ko =
			kbx_ko_parse(img->path, img->data, img->len, err);
		size_t n;

		if (!ko)
			return -1;
		n = strcspn(ko->vermagic, " ");
		if (n == 0) {
			kbx_ko_free(ko);
			return kbx_fail(err, img->path,
					"module has no vermagic");
		}
		kbx_out_put(out, ko->vermagic, n);
		kbx_ko_free(ko);
		return 0;
	}
	case KBX_FMT_VMLINUX:
	case KBX_FMT_ELF: {
		char release[128];

		if (kbx_elfimage_banner(img, release, sizeof(release))) {
			kbx_out_puts(out, release);
			return 0;
		}
		return release_from_bytes(img, out, err);
	}
	case KBX_FMT_IMAGE:
		return release_from_bytes(img, out, err);
	case KBX_FMT_BZIMAGE:
		if (kbx_bzimage_release(img, out) == 1)
			return 0;
		return release_from_payload(img, out, err);
	case KBX_FMT_UIMAGE:
	case KBX_FMT_FIT:
		if (img->has_comp && img->comp != KBX_COMP_NONE)
			return release_from_payload(img, out, err);
		switch (kbx_image_parse_inner(img, &inner, err)) {
		case 0:
			return kbx_image_release(&inner, out, err);
		case 1:
			return release_from_bytes(img, out, err);
		default:
			return -1;
		}
	case KBX_FMT_DTB:
		return 0;
	default:
		return release_from_payload(img, out, err);
	}
}

/* ---- verification --------------------------------------------------------- */

static int verify_payload(struct kbx_image *img, struct kbx_err *err)
{
	struct kbx_inflate res;
	int rc = kbx_image_inflate(img, NULL, NULL, &res, err);

	kbx_inflate_free(&res);
	return rc < 0 ? -1 : 0;
}

int kbx_image_check_arch(struct kbx_image *img, const char *want,
			 struct kbx_err *err)
{
	const char *norm = kbx_arch_normalise(want);
	struct kbx_image inner;
	const char *have = img->arch;

	if (!have && img->inner_len &&
	    kbx_image_parse_inner(img, &inner, err) == 0)
		have = inner.arch;
	if (!have) {
		if (img->format == KBX_FMT_DTB)
			return 0; /* a DTB serves any ARCH */
		return kbx_fail(err, img->path,
				"cannot tell the architecture of this %s, "
				"wanted %s",
				kbx_format_name(img->format), norm);
	}
	if (strcmp(have, norm) != 0)
		return kbx_fail(err, img->path,
				"wrong architecture: %s %s, wanted %s", have,
				kbx_format_name(img->format), norm);
	return 0;
}

int kbx_image_verify(struct kbx_image *img, const char *arch,
		     struct kbx_err *err)
{
	struct kbx_image inner;
	int rc = 0;

	switch (img->format) {
	case KBX_FMT_VMLINUX:
	case KBX_FMT_KO:
	case KBX_FMT_ELF:
		rc = kbx_elfimage_verify(img, err);
		break;
	case KBX_FMT_UIMAGE:
		rc = kbx_uimage_verify(img, err);
		if (rc == 0 && img->comp != KBX_COMP_NONE)
			rc = verify_payload(img, err);
		else if (rc == 0 && img->inner_len) {
			rc = kbx_image_parse_inner(img, &inner, err);
			if (rc == 0)
				rc = kbx_image_verify(&inner, NULL, err);
			else if (rc == 1)
				rc = 0;
		}
		break;
	case KBX_FMT_FIT:
		rc = kbx_fit_verify(img, err);
		break;
	case KBX_FMT_BZIMAGE:
		rc = kbx_bzimage_verify(img, err);
		if (rc == 0)
			rc = verify_payload(img, err);
		break;
	case KBX_FMT_DTB:
		rc = kbx_dtb_verify(img, err);
		break;
	case KBX_FMT_IMAGE:
		break;
	default:
		rc = verify_payload(img, err);
		break;
	}
	if (rc == 0 && arch && *arch)
		rc = kbx_image_check_arch(img, arch, err);
	return rc;
}

/* ---- fields --------------------------------------------------------------- */

static void put_hex(struct kbx_out *out, uint64_t v)
{
	kbx_out_printf(out, "0x%08llx", (unsigned long long)v);
}

static int field_comp(struct kbx_image *img, struct kbx_out *out,
		      struct kbx_err *err)
{
	if (!img->has_comp && img->payload_to) {
		struct kbx_inflate res;
		int rc = kbx_image_inflate(img, stop_after_header, NULL, &res,
					   err);

		kbx_inflate_free(&res);
		if (rc < 0)
			return -1;
	}
	if (img->has_comp)
		kbx_out_puts(out, kbx_comp_name(img->comp));
	return 0;
}

int kbx_image_field(struct kbx_image *img, const char *f, struct kbx_out *out,
		    struct kbx_err *err)
{
	if (strcmp(f, "format") == 0)
		kbx_out_puts(out, kbx_format_name(img->format));
	else if (strcmp(f, "arch") == 0)
		kbx_out_puts(out, img->arch ? img->arch : "");
	else if (strcmp(f, "bits") == 0) {
		if (img->bits)
			kbx_out_printf(out, "%d", img->bits);
	} else if (strcmp(f, "endian") == 0) {
		if (img->endian)
			kbx_out_puts(out,
				     img->endian == 'b' ? "big" : "little");
	} else if (strcmp(f, "size") == 0)
		kbx_out_printf(out, "%llu", (unsigned long long)img->size);
	else if (strcmp(f, "load") == 0 || strcmp(f, "entry") == 0) {
		if (img->has_load)
			put_hex(out, f[0] == 'l' ? img->load : img->entry);
	} else if (strcmp(f, "name") == 0)
		kbx_out_puts(out, img->name);
	else if (strcmp(f, "os") == 0)
		kbx_out_puts(out, img->os ? img->os : "");
	else if (strcmp(f, "type") == 0)
		kbx_out_puts(out, img->type ? img->type : "");
	else if (strcmp(f, "comp") == 0)
		return field_comp(img, out, err);
	else if (strcmp(f, "crc") == 0) {
		if (img->has_crc)
			kbx_out_printf(out, "0x%08x", img->crc);
	} else if (strcmp(f, "text-offset") == 0 ||
		   strcmp(f, "image-size") == 0 ||
		   strcmp(f, "page-size") == 0) {
		if (img->has_arm64_header)
			kbx_out_printf(
				out, f[0] == 't' ? "0x%llx" : "%llu",
				(unsigned long long)(f[0] == 't'
							     ? img->text_offset
						     : f[0] == 'i'
							     ? img->image_size
							     : img->page_size));
	} else if (strcmp(f, "payload") == 0) {
		if (img->payload_size)
			kbx_out_printf(out, "%llu",
				       (unsigned long long)img->payload_size);
	} else if (strcmp(f, "release") == 0)
		return kbx_image_release(img, out, err);
	else
		return kbx_fail(err, NULL,
				"unknown field '%s' (format arch bits endian "
				"size load entry name os type comp crc "
				"text-offset image-size page-size payload "
				"release)",
				f);
	return 0;
}
