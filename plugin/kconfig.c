/* Kernel configuration values: from a .config, or from the IKCONFIG copy
 * (kernel/configs.c: "IKCFG_ST" + gzip + "IKCFG_ED") inside a vmlinux,
 * configs.ko or a kernel image, its payload inflated first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

#define IKCFG_ST "IKCFG_ST\x1f\x8b\x08"
#define IKCFG_ST_LEN 11
#define IKCFG_ED "IKCFG_ED"

/* The value of NAME (with its CONFIG_ prefix) in .config text. */
static int config_lookup(const char *text, size_t len, const char *name,
			 struct kbx_out *out)
{
	size_t nlen = strlen(name);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nlen && memcmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			v = p + nlen + 1;
			if (eol - v >= 2 && v[0] == '"' && eol[-1] == '"') {
				for (v++; v < eol - 1; v++) {
					if (*v == '\\' && v + 1 < eol - 1)
						v++;
					kbx_out_put(out, v, 1);
				}
			} else {
				kbx_out_put(out, v, (size_t)(eol - v));
			}
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

static int stop_at_ikconfig_end(void *ctx, const unsigned char *buf, size_t len,
				size_t from)
{
	const unsigned char *st;

	(void)ctx, (void)from;
	st = memmem(buf, len, IKCFG_ST, IKCFG_ST_LEN);
	return st && memmem(st, len - (size_t)(st - buf), IKCFG_ED, 8);
}

/* Inflates the gzip'd .config that follows "IKCFG_ST" in DATA. */
static int ikconfig_text(const char *path, const unsigned char *data,
			 size_t len, struct kbx_inflate *cfg,
			 struct kbx_err *err)
{
	const unsigned char *st = memmem(data, len, IKCFG_ST, IKCFG_ST_LEN);
	const unsigned char *gz;

	memset(cfg, 0, sizeof(*cfg));
	if (!st)
		return kbx_fail(err, path,
				"no embedded configuration (built without "
				"CONFIG_IKCONFIG)");
	gz = st + 8;
	return kbx_decompress(KBX_COMP_GZIP, gz, len - (size_t)(gz - data),
			      16u << 20, NULL, NULL, cfg, path, err) < 0
		       ? -1
		       : 0;
}

/* A kernel's bytes where IKCONFIG may sit: the file itself, the artifact
 * nested in it (uImage, FIT), or its inflated payload (kept in RAW). */
static int kernel_bytes(struct kbx_image *img, struct kbx_inflate *raw,
			const unsigned char **data, size_t *len,
			struct kbx_err *err)
{
	struct kbx_image inner;
	int rc;

	*data = img->data;
	*len = img->len;
	if (memmem(*data, *len, IKCFG_ST, IKCFG_ST_LEN))
		return 0;
	if (img->inner_len && img->comp == KBX_COMP_NONE) {
		rc = kbx_image_parse_inner(img, &inner, err);
		if (rc <= 0)
			return rc < 0 ? -1
				      : kernel_bytes(&inner, raw, data, len,
						     err);
	}
	if (!img->payload_len && !img->payload_to)
		return 0; /* nothing to inflate: ikconfig_text says so */
	if (kbx_image_inflate(img, stop_at_ikconfig_end, NULL, raw, err) < 0)
		return -1;
	*data = raw->buf;
	*len = raw->len;
	return 0;
}

static int is_config_text(const unsigned char *d, size_t len)
{
	return (len >= 7 && memcmp(d, "CONFIG_", 7) == 0) ||
	       (len >= 1 && d[0] == '#') || len == 0;
}

int kbx_kconfig_get(const char *path, const char *option, struct kbx_out *out,
		    struct kbx_err *err)
{
	char name[256];
	struct kbx_map map;
	struct kbx_image img;
	struct kbx_inflate raw, cfg;
	const unsigned char *data;
	size_t len;
	int rc = -1;

	snprintf(name, sizeof(name), "%s%s",
		 strncmp(option, "CONFIG_", 7) ? "CONFIG_" : "", option);
	if (kbx_map_file(path, &map, err))
		return -1;
	memset(&raw, 0, sizeof(raw));
	memset(&cfg, 0, sizeof(cfg));
	if (is_config_text(map.data, map.len)) {
		config_lookup((const char *)map.data, map.len, name, out);
		rc = 0;
		goto out;
	}
	if (kbx_image_parse(path, map.data, map.len, &img, err) ||
	    kernel_bytes(&img, &raw, &data, &len, err) ||
	    ikconfig_text(path, data, len, &cfg, err))
		goto out;
	config_lookup((const char *)cfg.buf, cfg.len, name, out);
	rc = 0;
out:
	kbx_inflate_free(&cfg);
	kbx_inflate_free(&raw);
	kbx_unmap_file(&map);
	return rc;
}

/* ---- the fragment audit --------------------------------------------------- */

/* The raw setting of NAME in .config text: "y", "\"str\"", or "" when it
 * is unset or "is not set". */
static void raw_setting(const char *text, size_t len, const char *name,
			char *val, size_t size)
{
	size_t nlen = strlen(name);
	const char *p = text, *end = text + len;

	val[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nlen && memcmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			snprintf(val, size, "%.*s", (int)(eol - p - nlen - 1),
				 p + nlen + 1);
			return;
		}
		p = eol + 1;
	}
}

struct wish {
	char name[128], value[512], fragment[512];
};

/* Records each fragment's settings, a later one overriding an earlier, as
 * merge_config.sh merges them. */
static int read_wishes(const char *frag, struct wish **w, size_t *n,
		       struct kbx_err *err)
{
	FILE *f = fopen(frag, "r");
	char line[1024];

	if (!f)
		return kbx_fail(err, frag, "%s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char name[128], value[512] = "";
		size_t i;

		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(line, "# %127[A-Za-z0-9_] is not set", name) == 1) {
			if (strncmp(name, "CONFIG_", 7) != 0)
				continue;
		} else if (strncmp(line, "CONFIG_", 7) == 0 &&
			   strchr(line, '=')) {
			snprintf(name, sizeof(name), "%.*s",
				 (int)strcspn(line, "="), line);
			snprintf(value, sizeof(value), "%s",
				 strchr(line, '=') + 1);
		} else {
			continue;
		}
		for (i = 0; i < *n && strcmp((*w)[i].name, name); i++)
			;
		if (i == *n) {
			struct wish *g = realloc(*w, (*n + 1) * sizeof(**w));

			if (!g) {
				fclose(f);
				return kbx_fail(err, frag, "out of memory");
			}
			*w = g;
			(*n)++;
		}
		snprintf((*w)[i].name, sizeof((*w)[i].name), "%s", name);
		snprintf((*w)[i].value, sizeof((*w)[i].value), "%s", value);
		snprintf((*w)[i].fragment, sizeof((*w)[i].fragment), "%s",
			 frag);
	}
	fclose(f);
	return 0;
}

int kbx_kconfig_audit(const char *config, char **frags, size_t nfrags,
		      struct kbx_out *out, struct kbx_err *err)
{
	struct wish *w = NULL;
	struct kbx_map map;
	size_t n = 0, i;
	int rc = 0;

	for (i = 0; i < nfrags && rc == 0; i++)
		rc = read_wishes(frags[i], &w, &n, err);
	if (rc == 0 && kbx_map_file(config, &map, err))
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		char got[512];

		raw_setting((const char *)map.data, map.len, w[i].name, got,
			    sizeof(got));
		if (strcmp(got, w[i].value) == 0)
			continue;
		if (out->len)
			kbx_out_puts(out, "\n");
		kbx_out_printf(out,
			       "%s: %s asks for %s, the final .config has %s "
			       "(Kconfig dropped it: a dependency is not met; "
			       "see the option's 'Depends on' in menuconfig)",
			       w[i].name, w[i].fragment,
			       w[i].value[0] ? w[i].value : "it unset",
			       got[0] ? got : "it unset");
	}
	if (rc == 0)
		kbx_unmap_file(&map);
	free(w);
	return rc;
}
