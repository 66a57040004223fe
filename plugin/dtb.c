/* Device tree blobs through libfdt: the header and its blocks checked with
 * messages that name the fault, the structure walked by fdt_check_full,
 * and properties printed the way fdtget prints them. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "kbx.h"

struct block {
	const char *name;
	uint32_t off, size;
};

static int check_blocks(const char *path, const unsigned char *d,
			uint32_t total, struct kbx_err *err)
{
	struct block b[3] = {
		{ "memory reserve map", fdt_off_mem_rsvmap(d), 16 },
		{ "structure block", fdt_off_dt_struct(d), 0 },
		{ "strings block", fdt_off_dt_strings(d), 0 },
	};
	unsigned i, j, n = 3;

	if (fdt_version(d) >= 17) {
		b[1].size = fdt_size_dt_struct(d);
		b[2].size = fdt_size_dt_strings(d);
	} else if (fdt_version(d) >= 3) {
		b[2].size = fdt_size_dt_strings(d);
	}
	for (i = 0; i < n; i++) {
		if (b[i].off > total || b[i].size > total - b[i].off)
			return kbx_fail(err, path,
					"DTB %s [%#x, +%u] lies outside "
					"totalsize %u",
					b[i].name, b[i].off, b[i].size, total);
		if (b[i].off % 4 || (i == 0 && b[i].off % 8))
			return kbx_fail(err, path,
					"DTB %s offset %#x is misaligned",
					b[i].name, b[i].off);
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (b[i].size && b[j].size &&
			    b[i].off < b[j].off + b[j].size &&
			    b[j].off < b[i].off + b[i].size)
				return kbx_fail(err, path,
						"DTB %s [%#x, +%u] overlaps "
						"the "
						"%s [%#x, +%u]",
						b[i].name, b[i].off, b[i].size,
						b[j].name, b[j].off, b[j].size);
	return 0;
}

static int dtb_header(const char *path, const unsigned char *d, size_t len,
		      struct kbx_err *err)
{
	uint32_t total;

	if (len < 40)
		return kbx_fail(err, path,
				"DTB is truncated: %zu bytes, less "
				"than its 40-byte header",
				len);
	if (fdt_magic(d) != FDT_MAGIC)
		return kbx_fail(err, path, "bad DTB magic %#x", fdt_magic(d));
	total = fdt_totalsize(d);
	if (fdt_version(d) < 16 || fdt_last_comp_version(d) > 17 ||
	    fdt_last_comp_version(d) > fdt_version(d))
		return kbx_fail(err, path,
				"DTB version %u (compatible with %u) is not "
				"supported (16 or 17)",
				fdt_version(d), fdt_last_comp_version(d));
	if (total > len)
		return kbx_fail(err, path,
				"DTB is truncated: totalsize %u, the file has "
				"%zu bytes",
				total, len);
	if (total < 40)
		return kbx_fail(err, path,
				"DTB totalsize %u is below its header", total);
	return check_blocks(path, d, total, err);
}

int kbx_dtb_parse(struct kbx_image *img, struct kbx_err *err)
{
	if (dtb_header(img->path, img->data, img->len, err))
		return -1;
	img->size = fdt_totalsize(img->data);
	img->endian = 'b';
	return 0;
}

int kbx_dtb_has_node(const unsigned char *data, size_t len, const char *node)
{
	struct kbx_err err;

	if (dtb_header("", data, len, &err))
		return 0;
	return fdt_check_full(data, fdt_totalsize(data)) == 0 &&
	       fdt_path_offset(data, node) >= 0;
}

/* Finds the first property whose name offset lies outside the strings
 * block or whose name runs off its end: fdt_check_full only says
 * "BADSTRUCTURE", a user wants to know where. */
static int find_bad_name(const char *path, const unsigned char *d,
			 struct kbx_err *err)
{
	uint32_t soff = fdt_off_dt_strings(d), ssize = fdt_size_dt_strings(d);
	int off = 0, next;
	uint32_t tag;

	do {
		tag = fdt_next_tag(d, off, &next);
		if (tag == FDT_PROP) {
			const struct fdt_property *p =
				fdt_offset_ptr(d, off, sizeof(*p));
			uint32_t name;

			if (!p)
				break;
			name = fdt32_to_cpu(p->nameoff);
			if (name >= ssize)
				return kbx_fail(err, path,
						"DTB property at structure "
						"offset %#x: name offset %#x "
						"is outside the strings block "
						"(%u bytes)",
						off, name, ssize);
			if (!memchr(d + soff + name, '\0', ssize - name))
				return kbx_fail(err, path,
						"DTB property at structure "
						"offset %#x: its name is an "
						"unterminated string",
						off);
		}
		off = next;
	} while (tag != FDT_END && next >= 0);
	return 0;
}

int kbx_dtb_verify(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *d = img->data;
	int rc = fdt_check_full(d, fdt_totalsize(d));

	if (rc == 0)
		return 0;
	if (fdt_version(d) >= 17 && find_bad_name(img->path, d, err))
		return -1;
	return kbx_fail(err, img->path, "broken DTB structure: %s",
			fdt_strerror(rc));
}

/* fdtget's rule: a non-empty run of printable strings, each NUL-ended. */
static int printable_strings(const char *s, int len)
{
	const char *end = s + len;

	if (len == 0 || s[len - 1] != '\0')
		return 0;
	while (s < end) {
		const char *start = s;

		while (s < end && *s >= 0x20 && *s < 0x7f)
			s++;
		if (s == start || *s != '\0')
			return 0;
		s++;
	}
	return 1;
}

static void put_value(const char *v, int len, struct kbx_out *out)
{
	int i;

	if (printable_strings(v, len)) {
		const char *s;

		for (s = v; s < v + len; s += strlen(s) + 1)
			kbx_out_word(out, s, strlen(s));
		return;
	}
	/* cells as signed decimals, as fdtget's default "%d" prints them;
	 * bytes when the length is not a multiple of 4 */
	for (i = 0; i < len; i += len % 4 ? 1 : 4) {
		char num[16];
		int n = len % 4 ? snprintf(num, sizeof(num), "%d",
					   (unsigned char)v[i])
				: snprintf(num, sizeof(num), "%d",
					   (int32_t)fdt32_ld(
						   (const fdt32_t *)(v + i)));

		kbx_out_word(out, num, (size_t)n);
	}
}

int kbx_dtb_get(const char *path, const unsigned char *data, size_t len,
		const char *node, const char *prop, struct kbx_out *out,
		struct kbx_err *err)
{
	int off, plen, rc;
	const char *v;

	if (dtb_header(path, data, len, err))
		return -1;
	rc = fdt_check_full(data, fdt_totalsize(data));
	if (rc)
		return kbx_fail(err, path, "broken DTB structure: %s",
				fdt_strerror(rc));
	off = fdt_path_offset(data, node);
	if (off < 0)
		return 0;
	v = fdt_getprop(data, off, prop, &plen);
	if (!v || plen < 0)
		return 0;
	put_value(v, plen, out);
	return 0;
}
