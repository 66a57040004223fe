/* Symbol maps (System.map, /proc/kallsyms, any ELF): name and address
 * lookups over one index built once per file. */
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

/* Names longer than this are no kernel symbol (KSYM_NAME_LEN is 512). */
#define MAX_LINE 4096

struct sym {
	uint64_t addr;
	const char *name;
	const char *mod; /* kallsyms "[mod]" text without brackets, or NULL */
	uint32_t name_len;
	uint16_t mod_len;
	char type;
};

struct kbx_symmap {
	struct sym *syms; /* file order */
	size_t n, cap;
	uint32_t *by_addr; /* indices sorted by (addr, file order) */
	uint32_t *hash; /* open addressing: index + 1, 0 = empty */
	size_t hash_mask;
	int addr_width; /* digits System.map uses for an address */
	struct kbx_map file;
	char *arena; /* names copied out of an ELF string table */
	size_t arena_len, arena_cap;
};

static int push_sym(struct kbx_symmap *m, const struct sym *s)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4096;
		struct sym *p = realloc(m->syms, cap * sizeof(*p));

		if (!p)
			return -1;
		m->syms = p;
		m->cap = cap;
	}
	m->syms[m->n++] = *s;
	return 0;
}

static int by_addr_cmp(const void *a, const void *b, void *ctx)
{
	const struct sym *syms = ctx;
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;

	if (syms[ia].addr != syms[ib].addr)
		return syms[ia].addr < syms[ib].addr ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* System.map is already sorted; kallsyms mostly is: sort only when not. */
static int build_addr_order(struct kbx_symmap *m)
{
	size_t i;
	int sorted = 1;

	m->by_addr = malloc((m->n ? m->n : 1) * sizeof(*m->by_addr));
	if (!m->by_addr)
		return -1;
	for (i = 0; i < m->n; i++) {
		m->by_addr[i] = (uint32_t)i;
		if (i && m->syms[i].addr < m->syms[i - 1].addr)
			sorted = 0;
	}
	if (!sorted)
		qsort_r(m->by_addr, m->n, sizeof(*m->by_addr), by_addr_cmp,
			m->syms);
	return 0;
}

static size_t hash_find_slot(const struct kbx_symmap *m, const char *name,
			     size_t len)
{
	size_t slot = kbx_name_hash(name, len) & m->hash_mask;

	for (;; slot = (slot + 1) & m->hash_mask) {
		uint32_t v = m->hash[slot];
		const struct sym *s;

		if (!v)
			return slot;
		s = &m->syms[v - 1];
		if (s->name_len == len && memcmp(s->name, name, len) == 0)
			return slot;
	}
}

/* The first symbol of a name in file order wins, as `grep -m1` finds it. */
static int build_name_hash(struct kbx_symmap *m)
{
	size_t size = 16, i;

	while (size < m->n * 2)
		size <<= 1;
	m->hash = calloc(size, sizeof(*m->hash));
	if (!m->hash)
		return -1;
	m->hash_mask = size - 1;
	for (i = 0; i < m->n; i++) {
		size_t slot =
			hash_find_slot(m, m->syms[i].name, m->syms[i].name_len);

		if (!m->hash[slot])
			m->hash[slot] = (uint32_t)(i + 1);
	}
	return 0;
}

static int finish_index(struct kbx_symmap *m, const char *path,
			struct kbx_err *err)
{
	if (m->n > UINT32_MAX - 1)
		return kbx_fail(err, path, "too many symbols");
	if (build_addr_order(m) || build_name_hash(m))
		return kbx_fail(err, path, "out of memory");
	return 0;
}

void kbx_symmap_free(struct kbx_symmap *m)
{
	if (!m)
		return;
	free(m->syms);
	free(m->by_addr);
	free(m->hash);
	free(m->arena);
	kbx_unmap_file(&m->file);
	free(m);
}

size_t kbx_symmap_count(const struct kbx_symmap *m)
{
	return m->n;
}

/* ---- text maps ---------------------------------------------------------- */

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static const char *word_end(const char *p, const char *end)
{
	while (p < end && !is_blank(*p))
		p++;
	return p;
}

static int line_error(struct kbx_err *err, const char *path, size_t lineno,
		      const char *what)
{
	return kbx_fail(err, path,
			"line %zu: %s (expected \"ADDRESS TYPE NAME\" as "
			"System.map and /proc/kallsyms write it)",
			lineno, what);
}

/* "ffffffff81000000 T _stext" or kallsyms' "... T name\t[mod]". */
static int parse_map_line(struct kbx_symmap *m, const char *path, const char *p,
			  const char *end, size_t lineno, struct kbx_err *err)
{
	const char *a, *a_end, *t, *name, *name_end, *mod;
	struct sym s = { 0 };

	a = skip_blanks(p, end);
	if (a == end)
		return 0; /* blank line */
	a_end = word_end(a, end);
	if (kbx_parse_hex(a, (size_t)(a_end - a), &s.addr))
		return line_error(err, path, lineno, "no hex address");
	t = skip_blanks(a_end, end);
	if (t == end || word_end(t, end) != t + 1)
		return line_error(err, path, lineno, "no one-letter type");
	s.type = *t;
	name = skip_blanks(t + 1, end);
	name_end = word_end(name, end);
	if (name == name_end)
		return line_error(err, path, lineno, "no symbol name");
	mod = skip_blanks(name_end, end);
	if (mod < end) {
		const char *mod_end = word_end(mod, end);

		if (*mod != '[' || mod_end[-1] != ']' || mod_end - mod < 3 ||
		    skip_blanks(mod_end, end) != end)
			return line_error(err, path, lineno,
					  "unexpected text after the name");
		s.mod = mod + 1;
		s.mod_len = (uint16_t)(mod_end - mod - 2);
	}
	if (!m->addr_width)
		m->addr_width = (int)(a_end - a);
	s.name = name;
	s.name_len = (uint32_t)(name_end - name);
	if (push_sym(m, &s))
		return kbx_fail(err, path, "out of memory");
	return 0;
}

static int text_is_binary(const unsigned char *data, size_t len)
{
	size_t n = len < 4096 ? len : 4096;

	return memchr(data, '\0', n) != NULL;
}

/* Debian's linux-image packages ship a one-line stand-in for the map. */
static int check_debian_placeholder(const char *path, const char *data,
				    size_t len, struct kbx_err *err)
{
	const char *tag = memmem(data, len, "The real System.map is in", 25);
	const char *pkg, *end;

	if (!tag || len > 512)
		return 0;
	pkg = memmem(tag, len - (size_t)(tag - data), "linux-image-", 12);
	end = pkg ? memchr(pkg, ' ', len - (size_t)(pkg - data)) : NULL;
	if (pkg && end)
		return kbx_fail(err, path,
				"Debian's placeholder System.map: the real "
				"one is in the %.*s package",
				(int)(end - pkg), pkg);
	return kbx_fail(err, path,
			"Debian's placeholder System.map: the real one is in "
			"the linux-image-*-dbg package");
}

static int all_addresses_zero(const struct kbx_symmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->syms[i].addr)
			return 0;
	return m->n > 1;
}

struct kbx_symmap *kbx_symmap_parse_text(const char *path,
					 const unsigned char *data, size_t len,
					 struct kbx_err *err)
{
	struct kbx_symmap *m = calloc(1, sizeof(*m));
	const char *p = (const char *)data, *end = p + len;
	size_t lineno = 0;

	if (!m)
		return kbx_fail(err, path, "out of memory"), NULL;
	if (len == 0) {
		kbx_fail(err, path, "empty file, not a symbol map");
		goto fail;
	}
	if (text_is_binary(data, len)) {
		kbx_fail(err, path,
			 "binary data, neither a System.map nor an ELF file");
		goto fail;
	}
	if (check_debian_placeholder(path, p, len, err))
		goto fail;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		lineno++;
		if (eol - p > MAX_LINE) {
			kbx_fail(err, path,
				 "line %zu is longer than %d bytes: not a "
				 "symbol map",
				 lineno, MAX_LINE);
			goto fail;
		}
		if (parse_map_line(m, path, p, eol, lineno, err))
			goto fail;
		p = nl ? nl + 1 : end;
	}
	if (m->n == 0) {
		kbx_fail(err, path, "no symbols in the file");
		goto fail;
	}
	if (all_addresses_zero(m)) {
		kbx_fail(err, path,
			 "every address is zero: a kallsyms dump taken "
			 "without privilege (kptr_restrict); read "
			 "/proc/kallsyms as root");
		goto fail;
	}
	if (finish_index(m, path, err))
		goto fail;
	return m;
fail:
	kbx_symmap_free(m);
	return NULL;
}

/* ---- ELF maps ------------------------------------------------------------ */

struct elf_ctx {
	struct kbx_symmap *m;
	size_t names_len;
	int pass; /* 0: measure names, 1: copy them */
};

/* The symbols nm -n lists and mksysmap keeps: defined, named, not
 * section or file symbols. */
static int elf_sym_wanted(const struct kbx_elf_sym *s)
{
	return s->shndx != 0 && s->name[0] && s->type != 3 /* STT_SECTION */ &&
	       s->type != 4 /* STT_FILE */;
}

static int elf_collect(void *ctx, const struct kbx_elf_sym *es)
{
	struct elf_ctx *c = ctx;
	struct kbx_symmap *m = c->m;
	size_t n = strlen(es->name);
	struct sym s = { 0 };

	if (!elf_sym_wanted(es))
		return 0;
	if (c->pass == 0) {
		c->names_len += n + 1;
		return 0;
	}
	memcpy(m->arena + m->arena_len, es->name, n + 1);
	s.name = m->arena + m->arena_len;
	s.name_len = (uint32_t)n;
	s.addr = es->value;
	s.type = es->nm_type;
	m->arena_len += n + 1;
	return push_sym(m, &s) ? -1 : 0;
}

static struct kbx_symmap *
symmap_from_elf(const char *path, struct kbx_symmap *m, struct kbx_err *err)
{
	struct kbx_elf *elf = kbx_elf_open(path, &m->file, err);
	struct elf_ctx c = { .m = m };
	int rc;

	if (!elf)
		goto fail;
	m->addr_width = kbx_elf_class_bits(elf) / 4;
	if (kbx_elf_each_sym(elf, elf_collect, &c, err))
		goto fail;
	m->arena = malloc(c.names_len + 1);
	if (!m->arena) {
		kbx_fail(err, path, "out of memory");
		goto fail;
	}
	c.pass = 1;
	rc = kbx_elf_each_sym(elf, elf_collect, &c, err);
	if (rc) {
		if (rc > 0 || !err->msg[0])
			kbx_fail(err, path, "out of memory");
		goto fail;
	}
	kbx_elf_close(elf);
	elf = NULL;
	if (m->n == 0) {
		kbx_fail(err, path, "ELF file has no symbols (stripped?)");
		goto fail;
	}
	if (finish_index(m, path, err))
		goto fail;
	return m;
fail:
	kbx_elf_close(elf);
	m->file.data = NULL; /* the caller's bytes: not ours to unmap */
	kbx_symmap_free(m);
	return NULL;
}

/* An ELF file or a System.map/kallsyms text; names point into DATA. */
struct kbx_symmap *kbx_symmap_parse(const char *path, const unsigned char *data,
				    size_t len, struct kbx_err *err)
{
	struct kbx_symmap *m;

	if (!kbx_is_elf(data, len))
		return kbx_symmap_parse_text(path, data, len, err);
	m = calloc(1, sizeof(*m));
	if (!m)
		return kbx_fail(err, path, "out of memory"), NULL;
	m->file.data = data;
	m->file.len = len;
	m = symmap_from_elf(path, m, err);
	if (m)
		m->file.data = NULL; /* the caller's bytes: not ours to unmap */
	return m;
}

struct kbx_symmap *kbx_symmap_load(const char *path, struct kbx_err *err)
{
	struct kbx_map file;
	struct kbx_symmap *m;

	if (kbx_map_file(path, &file, err))
		return NULL;
	m = kbx_symmap_parse(path, file.data, file.len, err);
	if (!m) {
		kbx_unmap_file(&file);
		return NULL;
	}
	m->file = file; /* text names point into the mapping: keep it */
	return m;
}

static void *symmap_load_cb(const char *path, struct kbx_err *err)
{
	return kbx_symmap_load(path, err);
}

static void symmap_free_cb(void *p)
{
	kbx_symmap_free(p);
}

struct kbx_symmap *kbx_symmap_get(const char *path, struct kbx_err *err)
{
	return kbx_index_get(path, KBX_INDEX_SYMMAP, symmap_load_cb,
			     symmap_free_cb, err);
}

/* ---- lookups ------------------------------------------------------------- */

/* Zero-padded to the map's own width; by hand, as it runs per lookup. */
static void put_addr(const struct kbx_symmap *m, uint64_t addr,
		     struct kbx_out *out)
{
	static const char digits[] = "0123456789abcdef";
	char buf[32];
	int width =
		m->addr_width > 0 && m->addr_width <= 24 ? m->addr_width : 1;
	int n = 0, i;

	do {
		buf[n++] = digits[addr & 15];
		addr >>= 4;
	} while (addr);
	while (n < width)
		buf[n++] = '0';
	for (i = 0; i < n / 2; i++) {
		char c = buf[i];

		buf[i] = buf[n - 1 - i];
		buf[n - 1 - i] = c;
	}
	kbx_out_put(out, buf, (size_t)n);
}

int kbx_symmap_lookup(const struct kbx_symmap *m, const char *symbol,
		      struct kbx_out *out)
{
	size_t len = strlen(symbol);
	uint32_t v;

	if (!m->n)
		return 0;
	v = m->hash[hash_find_slot(m, symbol, len)];
	if (!v)
		return 0;
	put_addr(m, m->syms[v - 1].addr, out);
	return 1;
}

/* Position in by_addr of the last symbol whose address is <= ADDR. */
static int find_floor(const struct kbx_symmap *m, uint64_t addr, size_t *pos)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[m->by_addr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	*pos = lo - 1;
	return 1;
}

/* As kallsyms: the symbol is the first alias at the highest address <= ADDR,
 * its size reaches to the next strictly higher address. */
static int is_text_type(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

static int addr2sym(const struct kbx_symmap *m, uint64_t addr, int text_only,
		    struct kbx_out *out)
{
	size_t pos, first, next;
	const struct sym *s;
	uint64_t start;

	if (!find_floor(m, addr, &pos))
		return 0;
	start = m->syms[m->by_addr[pos]].addr;
	for (first = pos; first > 0; first--)
		if (m->syms[m->by_addr[first - 1]].addr != start)
			break;
	next = pos + 1;
	if (next >= m->n)
		return 0; /* past the last symbol: its end is unknown */
	s = &m->syms[m->by_addr[first]];
	if (text_only && !is_text_type(s->type))
		return 0;
	kbx_out_printf(
		out, "%.*s+0x%llx/0x%llx", (int)s->name_len, s->name,
		(unsigned long long)(addr - start),
		(unsigned long long)(m->syms[m->by_addr[next]].addr - start));
	if (s->mod)
		kbx_out_printf(out, " [%.*s]", (int)s->mod_len, s->mod);
	return 1;
}

int kbx_symmap_addr2sym(const struct kbx_symmap *m, uint64_t addr,
			struct kbx_out *out)
{
	return addr2sym(m, addr, 0, out);
}

int kbx_symmap_addr2text(const struct kbx_symmap *m, uint64_t addr,
			 struct kbx_out *out)
{
	return addr2sym(m, addr, 1, out);
}
