/* U-Boot FIT images (boot/image-fit.c): a DTB whose /images nodes carry
 * the kernel, DTBs and ramdisks, inline or after the blob, with hashes;
 * the default configuration names the kernel. */
#include <libfdt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "kbx.h"

static const char *prop_str(const unsigned char *d, int node, const char *name)
{
	int len;
	const char *v = fdt_getprop(d, node, name, &len);

	return v && len > 0 && v[len - 1] == '\0' ? v : NULL;
}

static int prop_u32(const unsigned char *d, int node, const char *name,
		    uint64_t *val)
{
	int len;
	const unsigned char *v = fdt_getprop(d, node, name, &len);

	if (!v || (len != 4 && len != 8))
		return -1;
	*val = fdt32_ld((const fdt32_t *)v);
	if (len == 8)
		*val = *val << 32 | fdt32_ld((const fdt32_t *)(v + 4));
	return 0;
}

/* An image's bytes: inline `data`, `data-offset` past the blob (aligned
 * to 4), or `data-position` from the file's start. */
static int image_data(const struct kbx_image *img, int node, const char *uname,
		      size_t *off, size_t *len, struct kbx_err *err)
{
	const unsigned char *d = img->data;
	uint64_t pos, size;
	int plen;
	const unsigned char *v = fdt_getprop(d, node, "data", &plen);

	if (v && plen >= 0) {
		*off = (size_t)(v - d);
		*len = (size_t)plen;
		return 0;
	}
	if (prop_u32(d, node, "data-size", &size))
		return kbx_fail(err, img->path,
				"FIT image '%s' has no data, data-offset or "
				"data-position with data-size",
				uname);
	if (prop_u32(d, node, "data-offset", &pos) == 0)
		pos += (fdt_totalsize(d) + 3u) & ~3u;
	else if (prop_u32(d, node, "data-position", &pos))
		return kbx_fail(err, img->path,
				"FIT image '%s' has data-size but no "
				"data-offset or data-position",
				uname);
	if (pos > img->len || size > img->len - pos)
		return kbx_fail(err, img->path,
				"FIT image '%s': data [%#llx, +%llu] runs past "
				"the end of the file (%zu bytes)",
				uname, (unsigned long long)pos,
				(unsigned long long)size, img->len);
	*off = (size_t)pos;
	*len = (size_t)size;
	return 0;
}

/* The kernel of the default configuration, else the first kernel image. */
static int find_kernel(const unsigned char *d, int images)
{
	int confs = fdt_path_offset(d, "/configurations"), node;
	const char *def, *kernel;

	if (confs >= 0 && (def = prop_str(d, confs, "default")) &&
	    (node = fdt_subnode_offset(d, confs, def)) >= 0 &&
	    (kernel = prop_str(d, node, "kernel")))
		return fdt_subnode_offset(d, images, kernel);
	fdt_for_each_subnode (node, d, images) {
		const char *type = prop_str(d, node, "type");

		if (type && (strcmp(type, "kernel") == 0 ||
			     strcmp(type, "kernel_noload") == 0))
			return node;
	}
	return -1;
}

int kbx_fit_parse(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *d = img->data;
	int images, kernel, rc;
	const char *s;

	if (kbx_dtb_parse(img, err))
		return -1;
	rc = fdt_check_full(d, fdt_totalsize(d));
	if (rc)
		return kbx_fail(err, img->path, "broken FIT structure: %s",
				fdt_strerror(rc));
	s = prop_str(d, 0, "description");
	if (s)
		snprintf(img->name, sizeof(img->name), "%s", s);
	images = fdt_path_offset(d, "/images");
	kernel = find_kernel(d, images);
	if (kernel < 0)
		return 0; /* a FIT of DTBs or ramdisks only */
	if (image_data(img, kernel, fdt_get_name(d, kernel, NULL),
		       &img->inner_off, &img->inner_len, err))
		return -1;
	s = prop_str(d, kernel, "arch");
	img->arch = s ? kbx_arch_normalise(s) : NULL;
	img->bits = img->arch && (strcmp(img->arch, "arm64") == 0) ? 64 : 0;
	img->os = prop_str(d, kernel, "os");
	img->type = prop_str(d, kernel, "type");
	img->has_load = prop_u32(d, kernel, "load", &img->load) == 0;
	if (prop_u32(d, kernel, "entry", &img->entry))
		img->entry = img->load;
	s = prop_str(d, kernel, "compression");
	img->has_comp = 1;
	if (kbx_comp_from_name(s ? s : "none", &img->comp))
		return kbx_fail(err, img->path,
				"FIT kernel: unknown compression \"%s\"", s);
	if (img->comp != KBX_COMP_NONE) {
		img->payload_off = img->inner_off;
		img->payload_len = img->inner_len;
	}
	return 0;
}

static int digest(const char *algo, const unsigned char *data, size_t len,
		  unsigned char *md, unsigned *md_len)
{
	const EVP_MD *type;

	if (strcmp(algo, "crc32") == 0) {
		uint32_t crc = (uint32_t)crc32(0, data, (uInt)len);

		md[0] = (unsigned char)(crc >> 24);
		md[1] = (unsigned char)(crc >> 16);
		md[2] = (unsigned char)(crc >> 8);
		md[3] = (unsigned char)crc;
		*md_len = 4;
		return 0;
	}
	type = EVP_get_digestbyname(algo);
	if (!type)
		return -1;
	return EVP_Digest(data, len, md, md_len, type, NULL) == 1 ? 0 : -1;
}

static int check_hashes(const struct kbx_image *img, int node,
			const char *uname, size_t off, size_t len,
			struct kbx_err *err)
{
	const unsigned char *d = img->data;
	int sub;

	fdt_for_each_subnode (sub, d, node) {
		const char *hname = fdt_get_name(d, sub, NULL);
		const char *algo = prop_str(d, sub, "algo");
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned md_len;
		const void *value;
		int vlen;

		if (!hname || strncmp(hname, "hash", 4) != 0)
			continue;
		value = fdt_getprop(d, sub, "value", &vlen);
		if (!algo || !value)
			return kbx_fail(err, img->path,
					"FIT image '%s': %s lacks algo or "
					"value",
					uname, hname);
		if (digest(algo, d + off, len, md, &md_len))
			return kbx_fail(err, img->path,
					"FIT image '%s': unknown hash algo "
					"'%s'",
					uname, algo);
		if ((unsigned)vlen != md_len || memcmp(md, value, md_len))
			return kbx_fail(err, img->path,
					"FIT image '%s': %s %s mismatch (data "
					"corrupt)",
					uname, hname, algo);
	}
	return 0;
}

int kbx_fit_verify(struct kbx_image *img, struct kbx_err *err)
{
	const unsigned char *d = img->data;
	int images = fdt_path_offset(d, "/images"), node;
	struct kbx_image inner;

	fdt_for_each_subnode (node, d, images) {
		const char *uname = fdt_get_name(d, node, NULL);
		size_t off, len;

		if (image_data(img, node, uname, &off, &len, err) ||
		    check_hashes(img, node, uname, off, len, err))
			return -1;
	}
	if (!img->inner_len)
		return 0;
	if (img->comp != KBX_COMP_NONE) {
		struct kbx_inflate res;
		int rc = kbx_image_inflate(img, NULL, NULL, &res, err);

		kbx_inflate_free(&res);
		return rc < 0 ? -1 : 0;
	}
	switch (kbx_image_parse_inner(img, &inner, err)) {
	case 0:
		return kbx_image_verify(&inner, NULL, err);
	case 1:
		return 0;
	default:
		return -1;
	}
}
