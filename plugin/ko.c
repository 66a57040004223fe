/* Kernel modules (.ko): .modinfo, imports with their __versions CRCs,
 * exports with GPL-ness and namespace. */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

struct version {
	const char *name; /* into the arena */
	uint32_t crc;
};

struct ko_build {
	struct kbx_ko *ko;
	struct kbx_elf *elf;
	struct version *versions;
	size_t n_versions;
	size_t cap_imports, cap_exports;
	struct kbx_err *err;
	/* __kstrtabns_<sym> and __crc_<sym>: where each export's namespace
	 * string and CRC are */
	struct symref {
		const char *sym;
		uint16_t shndx;
		uint64_t off;
		int is_crc;
	} * refs;
	size_t n_refs, cap_refs;
};

/* The module, the ELF handle whose string tables the symbol names point
 * into, and the file mapping all live as long as the index does. */
struct ko_private {
	struct kbx_ko ko;
	struct kbx_map file;
	struct kbx_elf *elf;
	int borrowed; /* the bytes belong to the caller */
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 32;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static int license_matches(const char *license, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(license, *list) == 0)
			return 1;
	return 0;
}

/* include/linux/license.h's license_is_gpl_compatible(). */
int kbx_license_is_gpl_compatible(const char *license)
{
	static const char *const gpl[] = {
		"GPL",		"GPL v2",	"GPL and additional rights",
		"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
		NULL,
	};

	return license && license_matches(license, gpl);
}

/* .modinfo is NUL-separated key=value strings with zero padding between;
 * copied into the arena so the last one is terminated even if the file's
 * is not. */
static int read_modinfo(struct kbx_ko *ko, const unsigned char *data,
			size_t len)
{
	size_t i, n = 0;
	char *p;

	ko->arena = malloc(len + 1);
	if (!ko->arena)
		return -1;
	memcpy(ko->arena, data, len);
	ko->arena[len] = '\0';
	for (i = 0; i < len; i += strlen(ko->arena + i) + 1)
		if (ko->arena[i])
			n++;
	ko->modinfo = calloc(n ? n : 1, sizeof(*ko->modinfo));
	if (!ko->modinfo)
		return -1;
	for (i = 0; i < len; i += strlen(ko->arena + i) + 1) {
		p = ko->arena + i;
		if (!*p)
			continue;
		ko->modinfo[ko->n_modinfo++] = p;
	}
	return 0;
}

static const char *modinfo_first(const struct kbx_ko *ko, const char *key)
{
	size_t klen = strlen(key), i;

	for (i = 0; i < ko->n_modinfo; i++)
		if (strncmp(ko->modinfo[i], key, klen) == 0 &&
		    ko->modinfo[i][klen] == '=')
			return ko->modinfo[i] + klen + 1;
	return NULL;
}

int kbx_ko_modinfo(const struct kbx_ko *ko, const char *key,
		   struct kbx_out *out)
{
	size_t klen = strlen(key), i;
	int found = 0;

	for (i = 0; i < ko->n_modinfo; i++) {
		const char *s = ko->modinfo[i];

		if (strncmp(s, key, klen) || s[klen] != '=')
			continue;
		if (found++)
			kbx_out_put(out, "\n", 1);
		kbx_out_puts(out, s + klen + 1);
	}
	return found;
}

/* import_ns= holds one namespace per entry (MODULE_IMPORT_NS). */
int kbx_ko_imports_ns(const struct kbx_ko *ko, const char *ns, size_t len)
{
	size_t i;

	for (i = 0; i < ko->n_modinfo; i++) {
		const char *s = ko->modinfo[i];

		if (strncmp(s, "import_ns=", 10) == 0 &&
		    strlen(s + 10) == len && memcmp(s + 10, ns, len) == 0)
			return 1;
	}
	return 0;
}

static uint64_t read_word(const unsigned char *p, int bytes, int big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[big ? i : bytes - 1 - i]
		     << (8 * (bytes - 1 - i));
	return v;
}

/* struct modversion_info: an unsigned long CRC then the name, 64 bytes. */
static int read_versions(struct ko_build *b, const unsigned char *data,
			 size_t len)
{
	int word = b->ko->bits / 8;
	int big = kbx_elf_big_endian(b->elf);
	size_t i, n;

	if (len % 64)
		return kbx_fail(b->err, b->ko->path,
				"__versions is %zu bytes, not a multiple of "
				"64 (struct modversion_info)",
				len);
	n = len / 64;
	b->versions = calloc(n ? n : 1, sizeof(*b->versions));
	if (!b->versions)
		return kbx_fail(b->err, b->ko->path, "out of memory");
	for (i = 0; i < n; i++) {
		const unsigned char *ent = data + i * 64;
		size_t nlen = kbx_strnlen((const char *)ent + word,
					  (size_t)(64 - word));
		char *name = malloc(nlen + 1);

		if (!name)
			return kbx_fail(b->err, b->ko->path, "out of memory");
		memcpy(name, ent + word, nlen);
		name[nlen] = '\0';
		b->versions[i].name = name;
		b->versions[i].crc = (uint32_t)read_word(ent, word, big);
	}
	b->n_versions = n;
	b->ko->has_versions = 1;
	return 0;
}

static const struct version *find_version(const struct ko_build *b,
					  const char *name)
{
	size_t i;

	for (i = 0; i < b->n_versions; i++)
		if (strcmp(b->versions[i].name, name) == 0)
			return &b->versions[i];
	return NULL;
}

/* modpost's ignore_undef_symbol(): resolved by the final link or arch. */
static int ignored_undefined(const char *name)
{
	return strcmp(name, "__this_module") == 0 ||
	       strcmp(name, "_GLOBAL_OFFSET_TABLE_") == 0 ||
	       strcmp(name, ".TOC.") == 0 ||
	       strncmp(name, "_restgpr", 8) == 0 ||
	       strncmp(name, "_savegpr", 8) == 0 ||
	       strncmp(name, "_rest32gpr", 10) == 0 ||
	       strncmp(name, "_save32gpr", 10) == 0 ||
	       strncmp(name, "_restvr_", 8) == 0 ||
	       strncmp(name, "_savevr_", 8) == 0;
}

static int add_import(struct ko_build *b, const struct kbx_elf_sym *s)
{
	struct kbx_ko *ko = b->ko;
	const struct version *v;
	struct kbx_ko_import *imp;

	if (s->bind != STB_GLOBAL && s->bind != STB_WEAK)
		return 0;
	if (ignored_undefined(s->name))
		return 0;
	if (grow((void **)&ko->imports, &b->cap_imports, ko->n_imports,
		 sizeof(*ko->imports)))
		return -1;
	imp = &ko->imports[ko->n_imports++];
	imp->name = s->name;
	imp->weak = s->bind == STB_WEAK;
	v = find_version(b, s->name);
	imp->has_crc = v != NULL;
	imp->crc = v ? v->crc : 0;
	return 0;
}

static int add_export(struct ko_build *b, const struct kbx_elf_sym *s)
{
	struct kbx_ko *ko = b->ko;
	const char *sec = kbx_elf_section_name(b->elf, s->shndx);
	struct kbx_ko_export *exp;

	if (grow((void **)&ko->exports, &b->cap_exports, ko->n_exports,
		 sizeof(*ko->exports)))
		return -1;
	exp = &ko->exports[ko->n_exports++];
	exp->name = s->name + strlen("__ksymtab_");
	exp->gpl = sec && strstr(sec, "_gpl") != NULL;
	exp->ns = "";
	return 0;
}

static int add_ref(struct ko_build *b, const struct kbx_elf_sym *s,
		   size_t prefix, int is_crc)
{
	struct symref *r;

	if (grow((void **)&b->refs, &b->cap_refs, b->n_refs, sizeof(*b->refs)))
		return -1;
	r = &b->refs[b->n_refs++];
	r->sym = s->name + prefix;
	r->shndx = s->shndx;
	r->off = s->value;
	r->is_crc = is_crc;
	return 0;
}

static int collect_sym(void *ctx, const struct kbx_elf_sym *s)
{
	struct ko_build *b = ctx;

	if (!s->name[0] || s->type == STT_SECTION || s->type == STT_FILE)
		return 0;
	if (s->shndx == SHN_UNDEF)
		return add_import(b, s);
	if (strncmp(s->name, "__ksymtab_", 10) == 0 && s->name[10] &&
	    strcmp(s->name, "__ksymtab_strings") != 0)
		return add_export(b, s);
	if (strncmp(s->name, "__kstrtabns_", 12) == 0 && s->name[12])
		return add_ref(b, s, 12, 0);
	if (strncmp(s->name, "__crc_", 6) == 0 && s->name[6])
		return add_ref(b, s, 6, 1);
	return 0;
}

static struct kbx_ko_export *find_export(struct kbx_ko *ko, const char *name)
{
	size_t i;

	for (i = 0; i < ko->n_exports; i++)
		if (strcmp(ko->exports[i].name, name) == 0)
			return &ko->exports[i];
	return NULL;
}

/* A CRC is an absolute symbol (older kernels) or a u32 in __kcrctab. */
static void resolve_crc(struct ko_build *b, const struct symref *r,
			struct kbx_ko_export *x)
{
	const unsigned char *data;
	struct kbx_err ignore;
	size_t len;

	if (r->shndx == SHN_ABS) {
		x->crc = (uint32_t)r->off;
		x->has_crc = 1;
		return;
	}
	if (kbx_elf_section_at(b->elf, r->shndx, &data, &len, &ignore) ||
	    !data || r->off > len || len - r->off < 4)
		return;
	x->crc = (uint32_t)read_word(data + r->off, 4,
				     kbx_elf_big_endian(b->elf));
	x->has_crc = 1;
}

/* EXPORT_SYMBOL_NS (up to 6.4) leaves __kstrtabns_<sym> pointing at the
 * namespace string in __ksymtab_strings. */
static void resolve_namespace(struct ko_build *b, const struct symref *r,
			      struct kbx_ko_export *x)
{
	const unsigned char *data;
	struct kbx_err ignore;
	size_t len, n;

	if (kbx_elf_section_at(b->elf, r->shndx, &data, &len, &ignore) ||
	    !data || r->off >= len)
		return;
	n = kbx_strnlen((const char *)data + r->off, len - (size_t)r->off);
	if (n == len - r->off || n == 0)
		return; /* unterminated or empty: no namespace */
	x->ns = (const char *)data + r->off;
}

static void resolve_refs(struct ko_build *b)
{
	size_t i;

	for (i = 0; i < b->n_refs; i++) {
		const struct symref *r = &b->refs[i];
		struct kbx_ko_export *x = find_export(b->ko, r->sym);

		if (!x)
			continue;
		if (r->is_crc)
			resolve_crc(b, r, x);
		else
			resolve_namespace(b, r, x);
	}
}

static char *module_name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;
	char *name, *p;

	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	name = strndup(base, n);
	if (!name)
		return NULL;
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

/* struct module's name sits at 0x18 (64-bit) or 0x0C (32-bit). */
static char *module_name_from_this_module(struct ko_build *b)
{
	size_t off = b->ko->bits == 64 ? 0x18 : 0x0C, n;
	const unsigned char *data;
	struct kbx_err ignore;
	size_t len;

	if (kbx_elf_section(b->elf, ".gnu.linkonce.this_module", &data, &len,
			    &ignore) ||
	    !data || len < off + 56)
		return NULL;
	n = kbx_strnlen((const char *)data + off, 56);
	if (n == 0 || n == 56)
		return NULL;
	return strndup((const char *)data + off, n);
}

static int ko_read(struct ko_build *b)
{
	struct kbx_ko *ko = b->ko;
	const unsigned char *data;
	size_t len;

	if (kbx_elf_type(b->elf) != ET_REL)
		return kbx_fail(b->err, ko->path,
				"not a kernel module: ELF type %u, a .ko is "
				"relocatable (ET_REL)",
				kbx_elf_type(b->elf));
	ko->bits = kbx_elf_class_bits(b->elf);
	if (kbx_elf_section(b->elf, ".modinfo", &data, &len, b->err))
		return -1;
	ko->has_modinfo = data != NULL;
	if (read_modinfo(ko, data ? data : (const unsigned char *)"",
			 data ? len : 0))
		return kbx_fail(b->err, ko->path, "out of memory");
	if (kbx_elf_section(b->elf, "__versions", &data, &len, b->err))
		return -1;
	if (data && read_versions(b, data, len))
		return -1;
	if (kbx_elf_each_sym(b->elf, collect_sym, b, b->err)) {
		if (!b->err->msg[0])
			kbx_fail(b->err, ko->path, "out of memory");
		return -1;
	}
	resolve_refs(b);
	ko->license = modinfo_first(ko, "license");
	ko->vermagic = modinfo_first(ko, "vermagic");
	if (!ko->license)
		ko->license = "";
	if (!ko->vermagic)
		ko->vermagic = "";
	ko->modname = module_name_from_this_module(b);
	if (!ko->modname)
		ko->modname = module_name_from_path(ko->path);
	if (!ko->modname)
		return kbx_fail(b->err, ko->path, "out of memory");
	return 0;
}

static void free_build(struct ko_build *b)
{
	size_t i;

	for (i = 0; i < b->n_versions; i++)
		free((char *)b->versions[i].name);
	free(b->versions);
	free(b->refs);
}

/* Parses a module held in MAP, which the module then owns. */
static struct kbx_ko *ko_parse_map(const char *path, struct kbx_map *map,
				   int borrowed, struct kbx_err *err)
{
	struct ko_private *kp = calloc(1, sizeof(*kp));
	struct ko_build b = { 0 };

	if (!kp) {
		if (!borrowed)
			kbx_unmap_file(map);
		return kbx_fail(err, path, "out of memory"), NULL;
	}
	kp->file = *map;
	kp->borrowed = borrowed;
	kp->ko.path = strdup(path);
	if (!kp->ko.path) {
		kbx_fail(err, path, "out of memory");
		goto fail;
	}
	if (kp->file.len == 0) {
		kbx_fail(err, path, "empty file, not a kernel module");
		goto fail;
	}
	kp->elf = kbx_elf_open(path, &kp->file, err);
	if (!kp->elf)
		goto fail;
	b.ko = &kp->ko;
	b.elf = kp->elf;
	b.err = err;
	if (ko_read(&b))
		goto fail;
	free_build(&b);
	return &kp->ko;
fail:
	free_build(&b);
	kbx_ko_free(&kp->ko);
	return NULL;
}

struct kbx_ko *kbx_ko_load(const char *path, struct kbx_err *err)
{
	struct kbx_map map;

	if (kbx_map_file(path, &map, err))
		return NULL;
	return ko_parse_map(path, &map, 0, err);
}

/* For callers holding the bytes (fuzzing): DATA must outlive the module. */
struct kbx_ko *kbx_ko_parse(const char *path, const unsigned char *data,
			    size_t len, struct kbx_err *err)
{
	struct kbx_map map = { .data = data, .len = len };

	return ko_parse_map(path, &map, 1, err);
}

void kbx_ko_free(struct kbx_ko *ko)
{
	struct ko_private *kp = (struct ko_private *)ko;

	if (!ko)
		return;
	free(ko->path);
	free(ko->modname);
	free(ko->modinfo);
	free(ko->imports);
	free(ko->exports);
	free(ko->arena);
	kbx_elf_close(kp->elf);
	if (!kp->borrowed)
		kbx_unmap_file(&kp->file);
	free(kp);
}

static void *ko_load_cb(const char *path, struct kbx_err *err)
{
	return kbx_ko_load(path, err);
}

static void ko_free_cb(void *p)
{
	kbx_ko_free(p);
}

struct kbx_ko *kbx_ko_get(const char *path, struct kbx_err *err)
{
	return kbx_index_get(path, KBX_INDEX_KO, ko_load_cb, ko_free_cb, err);
}
