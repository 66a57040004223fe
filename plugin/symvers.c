/* Module.symvers: every layout since 2.6.18, indexed by symbol name. */
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

struct kbx_symvers {
	struct kbx_symvers_entry *e;
	size_t n, cap;
	uint32_t *hash; /* index + 1, 0 = empty */
	size_t hash_mask;
	struct kbx_map file;
};

#define MAX_FIELDS 6

struct field {
	const char *p;
	size_t len;
};

static size_t split_tabs(const char *p, const char *end, struct field *f)
{
	size_t n = 0;

	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *stop = tab ? tab : end;

		if (n == MAX_FIELDS)
			return MAX_FIELDS + 1;
		f[n].p = p;
		f[n].len = (size_t)(stop - p);
		n++;
		if (!tab)
			return n;
		p = tab + 1;
	}
}

static int is_export_field(const struct field *f)
{
	return f->len > 7 && memcmp(f->p, "EXPORT_", 7) == 0;
}

static int line_error(struct kbx_err *err, const char *path, size_t lineno,
		      const char *what)
{
	return kbx_fail(err, path,
			"line %zu: %s (expected CRC, symbol, module, export "
			"type and namespace, tab-separated)",
			lineno, what);
}

/* Columns by kernel: crc sym mod (<= 2.6.17); crc sym mod export
 * (2.6.18-5.3); crc sym ns mod export (5.4-5.5); crc sym mod export ns
 * (5.6+). Which layout is told by the column holding EXPORT_*. */
static int fill_entry(struct kbx_symvers_entry *e, const struct field *f,
		      size_t nf, const char *path, size_t lineno,
		      struct kbx_err *err)
{
	const struct field *mod, *exp = NULL, *ns = NULL;
	uint64_t crc;

	if (nf < 3)
		return line_error(err, path, lineno, "too few columns");
	if (nf > 5)
		return line_error(err, path, lineno, "too many columns");
	if (kbx_parse_hex(f[0].p, f[0].len, &crc) || crc > UINT32_MAX)
		return line_error(err, path, lineno, "bad CRC");
	if (f[1].len == 0 || f[1].len > UINT16_MAX)
		return line_error(err, path, lineno, "bad symbol name");
	mod = &f[2];
	if (nf == 4) {
		exp = &f[3];
	} else if (nf == 5 && is_export_field(&f[4])) {
		ns = &f[2];
		mod = &f[3];
		exp = &f[4];
	} else if (nf == 5) {
		exp = &f[3];
		ns = &f[4];
	}
	if (exp && !is_export_field(exp))
		return line_error(err, path, lineno, "no EXPORT_* column");
	e->crc = (uint32_t)crc;
	e->name = f[1].p;
	e->name_len = (uint16_t)f[1].len;
	e->module = mod->p;
	e->module_len =
		(uint16_t)(mod->len > UINT16_MAX ? UINT16_MAX : mod->len);
	e->export = exp ? exp->p : "EXPORT_SYMBOL";
	e->export_len = (uint16_t)(exp ? exp->len : 13);
	e->ns = ns ? ns->p : "";
	e->ns_len = (uint16_t)(ns && ns->len <= UINT16_MAX ? ns->len : 0);
	return 0;
}

static int push_entry(struct kbx_symvers *sv, const struct kbx_symvers_entry *e)
{
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 4096;
		struct kbx_symvers_entry *p = realloc(sv->e, cap * sizeof(*p));

		if (!p)
			return -1;
		sv->e = p;
		sv->cap = cap;
	}
	sv->e[sv->n++] = *e;
	return 0;
}

static size_t hash_slot(const struct kbx_symvers *sv, const char *name,
			size_t len)
{
	size_t slot = kbx_name_hash(name, len) & sv->hash_mask;

	for (;; slot = (slot + 1) & sv->hash_mask) {
		uint32_t v = sv->hash[slot];
		const struct kbx_symvers_entry *e;

		if (!v)
			return slot;
		e = &sv->e[v - 1];
		if (e->name_len == len && memcmp(e->name, name, len) == 0)
			return slot;
	}
}

static int build_hash(struct kbx_symvers *sv)
{
	size_t size = 16, i;

	while (size < sv->n * 2)
		size <<= 1;
	sv->hash = calloc(size, sizeof(*sv->hash));
	if (!sv->hash)
		return -1;
	sv->hash_mask = size - 1;
	for (i = 0; i < sv->n; i++) {
		size_t slot = hash_slot(sv, sv->e[i].name, sv->e[i].name_len);

		if (!sv->hash[slot])
			sv->hash[slot] = (uint32_t)(i + 1);
	}
	return 0;
}

struct kbx_symvers *kbx_symvers_parse(const char *path,
				      const unsigned char *data, size_t len,
				      struct kbx_err *err)
{
	struct kbx_symvers *sv = calloc(1, sizeof(*sv));
	const char *p = (const char *)data, *end = p + len;
	size_t lineno = 0;

	if (!sv)
		return kbx_fail(err, path, "out of memory"), NULL;
	if (len && memchr(data, '\0', len < 4096 ? len : 4096)) {
		kbx_fail(err, path, "binary data, not a Module.symvers");
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct field f[MAX_FIELDS + 1];
		struct kbx_symvers_entry e;

		lineno++;
		if (eol > p) {
			size_t nf = split_tabs(p, eol, f);

			if (fill_entry(&e, f, nf, path, lineno, err))
				goto fail;
			if (push_entry(sv, &e)) {
				kbx_fail(err, path, "out of memory");
				goto fail;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (kbx_symvers_finish(sv)) {
		kbx_fail(err, path, "out of memory");
		goto fail;
	}
	return sv;
fail:
	kbx_symvers_free(sv);
	return NULL;
}

struct kbx_symvers *kbx_symvers_new(void)
{
	return calloc(1, sizeof(struct kbx_symvers));
}

int kbx_symvers_add(struct kbx_symvers *sv, const struct kbx_symvers_entry *e)
{
	return push_entry(sv, e);
}

int kbx_symvers_finish(struct kbx_symvers *sv)
{
	free(sv->hash);
	sv->hash = NULL;
	return sv->n > UINT32_MAX - 1 ? -1 : build_hash(sv);
}

void kbx_symvers_free(struct kbx_symvers *sv)
{
	if (!sv)
		return;
	free(sv->e);
	free(sv->hash);
	kbx_unmap_file(&sv->file);
	free(sv);
}

struct kbx_symvers *kbx_symvers_load(const char *path, struct kbx_err *err)
{
	struct kbx_map file;
	struct kbx_symvers *sv;

	if (kbx_map_file(path, &file, err))
		return NULL;
	sv = kbx_symvers_parse(path, file.data, file.len, err);
	if (!sv) {
		kbx_unmap_file(&file);
		return NULL;
	}
	sv->file = file;
	return sv;
}

static void *symvers_load_cb(const char *path, struct kbx_err *err)
{
	return kbx_symvers_load(path, err);
}

static void symvers_free_cb(void *p)
{
	kbx_symvers_free(p);
}

struct kbx_symvers *kbx_symvers_get(const char *path, struct kbx_err *err)
{
	return kbx_index_get(path, KBX_INDEX_SYMVERS, symvers_load_cb,
			     symvers_free_cb, err);
}

size_t kbx_symvers_count(const struct kbx_symvers *sv)
{
	return sv->n;
}

const struct kbx_symvers_entry *kbx_symvers_find(const struct kbx_symvers *sv,
						 const char *name, size_t len)
{
	uint32_t v;

	if (!sv->hash)
		return NULL;
	v = sv->hash[hash_slot(sv, name, len)];
	return v ? &sv->e[v - 1] : NULL;
}

/* EXPORT_SYMBOL_GPL, EXPORT_SYMBOL_NS_GPL and EXPORT_UNUSED_SYMBOL_GPL bind
 * only GPL-compatible modules; _GPL_FUTURE only ever earned a warning. */
int kbx_symvers_export_is_gpl(const struct kbx_symvers_entry *e)
{
	if (memmem(e->export, e->export_len, "_GPL_FUTURE", 11))
		return 0;
	return memmem(e->export, e->export_len, "_GPL", 4) != NULL;
}
